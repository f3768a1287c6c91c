#!/usr/bin/env bash
# Installs Debian's docker-registry (distribution 2.8) for the image verification tests, which start it themselves
# on a free loopback port to serve the cosign and notation fixtures (tests/Shared/provenance). Nothing runs it as a
# service: the package's own service is kept from starting and disabled. Run from anywhere; once installed, a second
# run does nothing.
set -euo pipefail

# DOCKER_REGISTRY=/path/to/docker-registry uses a registry binary you already have: nothing is installed, and the
# tests use it too.
if [ -n "${DOCKER_REGISTRY:-}" ]; then
  if [ -x "$DOCKER_REGISTRY" ] && "$DOCKER_REGISTRY" --version >/dev/null 2>&1; then
    echo "using DOCKER_REGISTRY=$DOCKER_REGISTRY ($("$DOCKER_REGISTRY" --version 2>/dev/null))" >&2
    exit 0
  fi
  echo "error: DOCKER_REGISTRY=$DOCKER_REGISTRY is not a docker-registry that runs; unset it to install Debian's" >&2
  exit 1
fi

if found="$(command -v docker-registry)"; then
  if [ "$found" != /usr/bin/docker-registry ]; then
    echo "docker-registry is $found; the tests look for /usr/bin/docker-registry, so export DOCKER_REGISTRY=$found" >&2
  fi
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: no docker-registry on PATH and no apt-get to install it; install distribution 2.8 (the 'registry' binary) and set DOCKER_REGISTRY to it" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: installing docker-registry needs root or sudo" >&2; exit 1; }
  sudo=(sudo)
fi

# Keep the package's service from starting while it installs: invoke-rc.d and deb-systemd-invoke ask policy-rc.d,
# and 101 means "not allowed". An existing policy-rc.d is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 0755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "installing Debian's docker-registry with apt-get" >&2
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-registry

# The service would listen on :5000; the tests never use it, so stop and disable it where an init system runs one.
if [ -d /run/systemd/system ]; then
  "${sudo[@]}" systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
elif [ -x /etc/init.d/docker-registry ]; then
  "${sudo[@]}" /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
  "${sudo[@]}" update-rc.d docker-registry disable >/dev/null 2>&1 || true
fi
/usr/bin/docker-registry --version >&2
