#!/usr/bin/env bash
# `semblance watch` at 720p with six moving faces, detection every 5th frame: this tree's tracker
# against an earlier commit's, the two command lines run in turn on one machine, and the ratio of
# their speeds. Nothing is installed: the earlier commit is built in a worktree of its own.
#
#   benchmarks/video/compare-trackers.sh [BASE_COMMIT]     (default eb31df4: the IoU tracker)
#
# Needs this tree built first (mvn -B -DskipTests package) and the tv-characters data.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base=${1:-eb31df4}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "# the video and its gallery (VideoBenchmark keeps them in $work)"
(cd "$root" && mvn -B -q -o -pl video test -Dtest=VideoBenchmark -Dsemblance.videoBench=true \
  -Dsemblance.videoBench.only=720p-6 -Dsemblance.videoBench.keep="$work" >/dev/null)

tree=${BASE_TREE:-$work/base} # BASE_TREE: a checkout of BASE_COMMIT built before, to reuse
if [ ! -f "$tree/examples/target/semblance-cli.jar" ]; then
  echo "# $base's command line, built in a worktree"
  git -C "$root" worktree add -f "$tree" "$base" >/dev/null 2>&1
  (cd "$tree" && mvn -B -q -o package -DskipTests -Dspotless.check.skip=true -pl examples -am >/dev/null)
fi

speed() { # jar -> frames per second of one whole watch, as the command reports it
  java --add-modules jdk.incubator.vector -jar "$1" watch "$work/720p-6.mp4" \
    --gallery "$work/cast.gallery" 2>&1 >/dev/null | sed -n 's/.*frames (\([0-9.]*\) per second).*/\1/p'
}
for i in $(seq "$runs"); do
  echo "base $(speed "$tree/examples/target/semblance-cli.jar")"
  echo "new $(speed "$root/examples/target/semblance-cli.jar")"
done | tee "$work/runs.txt"
median() { grep "^$1 " "$work/runs.txt" | cut -d' ' -f2 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb=$(median base)
mn=$(median new)
awk -v b="$mb" -v n="$mn" 'BEGIN { printf "median fps: base %.1f, new %.1f; new / base = %.2f\n", b, n, n / b }'
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
