#!/usr/bin/env bash
# The service past its capacity, this tree's beside an earlier commit's (default c46d3a6, before
# admission control): both serve the tv-characters cast, each from its own folder on loopback, and
# Overload.java (its own JVM) drives 1 to 500 clients recognising a portrait at one, then at the
# other, level by level, so that drift in the machine's speed falls on both alike.
#
#   benchmarks/service/overload.sh [BASE_COMMIT] [CLIENTS] [SECONDS]   (needs mvn -B -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base=${1:-c46d3a6}
levels=${2:-1,8,32,100,300,500}
seconds=${3:-10}
data=$root/../shared/data/tv-characters
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -f "$work/base" "$base" >/dev/null 2>&1
(cd "$work/base" && mvn -B -q -o package -DskipTests -Dspotless.check.skip=true -Djib.skip=true -pl examples -am >/dev/null)

declare -A key pid
serve() { # NAME CLI_JAR PORT
  local dir=$work/$1
  mkdir -p "$dir"
  key[$1]=$(java -jar "$2" keys add --dir "$dir" --role admin --label load 2>/dev/null | tail -1)
  java -Xmx4g --add-modules jdk.incubator.vector -jar "$2" serve --dir "$dir" --port "$3" \
    --rate-limit 0 >"$dir/server.log" 2>&1 &
  pid[$1]=$!
  until curl -sf "http://127.0.0.1:$3/health/ready" >/dev/null; do sleep 0.5; done
  for person in amy bernadette howard leonard penny raj sheldon stuart; do
    curl -sf -o /dev/null -H "X-Api-Key: ${key[$1]}" -F "subject=$person" \
      -F "file=@$data/$person/${person}1.png" "http://127.0.0.1:$3/api/v1/subjects"
  done
}
serve base "$work/base/examples/target/semblance-cli.jar" 18081
serve tree "$root/examples/target/semblance-cli.jar" 18082
echo "server | clients | served/s | 503/s | admitted p50 p99 max ms | 503 p99 max ms | /health p50 p99 max ms | other | cores: server, clients"
for n in ${levels//,/ }; do
  for side in base tree; do
    port=$([ "$side" = base ] && echo 18081 || echo 18082)
    java "$root/benchmarks/service/Overload.java" "http://127.0.0.1:$port/" "${key[$side]}" \
      "$data/penny/penny3.png" "$n" "$seconds" "${pid[$side]}" | tail -n +2 |
      sed "s/^/$([ "$side" = base ] && echo "$base " || echo 'this tree')| /"
  done
done
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
