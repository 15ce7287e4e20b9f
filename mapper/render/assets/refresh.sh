#!/bin/sh
# Refresh the vendored rbush (an R-tree for the map's label placement) from the npm registry:
#   sh mapper/render/assets/refresh.sh [VERSION]
# Copies the package's minified UMD build and its licence here; record the version in README.md.
set -eu
version="${1:-4.0.1}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "rbush@$version" --silent >/dev/null && tar xzf rbush-*.tgz)
cp "$tmp/package/rbush.min.js" "$here/rbush.min.js"
cp "$tmp/package/LICENSE" "$here/rbush.LICENSE"
echo "rbush $version -> $here/rbush.min.js"
