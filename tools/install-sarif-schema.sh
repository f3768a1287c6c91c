#!/usr/bin/env bash
# Installs the SARIF 2.1.0 JSON schema into .tools/sarif-schema-2.1.0.json (ignored by git) for the test that
# validates `policywebhook check --format sarif` against it.
#
# The machines this project is built on reach only the npm registry and NuGet. The npm package
# @microsoft/jest-sarif (MIT) ships lib/schemas/sarif-2.1.0-rtm.5.json, the SARIF 2.1.0 schema (draft-04) as
# published for SARIF readers. The package version and its tarball's SHA-256 are pinned below. Run from anywhere;
# a second run with the same pinned version does nothing.
set -euo pipefail

package="@microsoft/jest-sarif"
version="1.0.0-beta.0"
tarball_sha256="748e2c3d1a842e7bb258416685c7ea3a0da40005b72267b2052c2856d48ad102"

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=tools/npm-pinned-pack.sh
. "$root/tools/npm-pinned-pack.sh"
dest="$root/.tools"
stamp="$dest/sarif-schema.version"
if [ -f "$dest/sarif-schema-2.1.0.json" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$package@$version" ]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "installing the SARIF 2.1.0 schema from the npm package $package@$version into .tools/" >&2
archive="$(npm_pinned_pack "$package" "$version" "$tarball_sha256" "$work")"
tar -xzf "$archive" -C "$work" package/lib/schemas/sarif-2.1.0-rtm.5.json
mkdir -p "$dest"
install -m 0644 "$work/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$dest/sarif-schema-2.1.0.json"
echo "$package@$version" >"$stamp"
