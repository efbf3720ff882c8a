#!/usr/bin/env bash
# Encodes the first N LFW images (embedding and quality score of the main face) with this tree's
# command line and with an earlier commit's (default 83126ac: denormals kept), and says how many
# outputs are equal bit for bit, and how long each took. The earlier commit is built in a worktree.
#
#   benchmarks/denormals/compare-outputs.sh [BASE_COMMIT] [N]     (needs mvn -B -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base=${1:-83126ac}
n=${2:-300}
images=$root/../shared/data/lfw-dev/images
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -f "$work/base" "$base" >/dev/null 2>&1
(cd "$work/base" && mvn -B -q -o package -DskipTests -Dspotless.check.skip=true -pl examples -am >/dev/null)
dump() { java --add-modules jdk.incubator.vector -cp "$1" "$root/benchmarks/denormals/DumpEmbeddings.java" "$images" "$n" "$2" 2>/dev/null; }
echo "base ($base): $(dump "$work/base/examples/target/semblance-cli.jar" "$work/base.bin")"
echo "this tree: $(dump "$root/examples/target/semblance-cli.jar" "$work/new.bin")"
if cmp -s "$work/base.bin" "$work/new.bin"; then
  echo "all $n outputs equal bit for bit"
else
  echo "outputs differ: $(cmp -l "$work/base.bin" "$work/new.bin" | wc -l) bytes"
fi
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
