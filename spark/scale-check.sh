#!/usr/bin/env bash
# Side-by-side figures for docs/scale.md: the same work on one JVM with the library and as Spark
# jobs in local mode (ScaleCheck, in the spark module's test classes; never part of the tests).
#
#   mvn -B -DskipTests package && mvn -B -q -DskipTests test-compile -pl spark
#   spark/scale-check.sh encode 1000                                  # LFW images
#   spark/scale-check.sh identify 1000000 10000 100000 1000 300000 1000 1000000 1000 1000000 3000
#   spark/scale-check.sh cluster 5000 100000                         # planted synthetic faces
#   spark/scale-check.sh scan 1000000 10000                          # the exact neighbour scan
#   spark/scale-check.sh cluster-one-jvm 128 1000000                 # 1M faces, 128-d, one JVM
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cp="$root/spark/target/semblance-spark-job.jar:$root/spark/target/test-classes:$(cat "$root/spark/target/spark-classpath.txt")"
args=("$@")
if [ "$1" = encode ]; then
  args=(encode "${SEMBLANCE_DATA:-$root/../shared/data}/lfw-dev/images" "$2")
fi
opens=$(sed -n 's:.*<spark.opens>\(.*\)</spark.opens>.*:\1:p' "$root/spark/pom.xml")
# shellcheck disable=SC2086
exec java $opens --add-modules jdk.incubator.vector -Xmx16g -cp "$cp" dev.semblance.spark.ScaleCheck "${args[@]}"
