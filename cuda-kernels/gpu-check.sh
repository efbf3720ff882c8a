#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU and driver but no JDK: runs GpuCheck (results
# against the CPU search, throughput) with the JRE and jars that prepare-gpu-check.sh bundled,
# in well under five minutes. Writes gpu-check.txt, gpu-check.json, the log and nvidia-smi's
# view to $OUT (or cuda-kernels/target/gpu-check-out). Exit status: 0 passed, 1 a check failed,
# 2 no usable GPU.
#
#   cuda-kernels/gpu-check.sh [N] [D]      # default 1000000 512
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bundle=$here/target/gpu-check
out=${OUT:-$here/target/gpu-check-out}
mkdir -p "$out"
if [ ! -x "$bundle/jre/bin/java" ]; then
  echo "no bundle: run cuda-kernels/prepare-gpu-check.sh first and carry cuda-kernels/target/gpu-check" >&2
  exit 2
fi
{ nvidia-smi || echo "nvidia-smi failed"; } > "$out/nvidia-smi.txt" 2>&1
export LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
set +e
timeout 290 "$bundle/jre/bin/java" -Xmx48g --add-modules jdk.incubator.vector \
  -Dorg.bytedeco.javacpp.cachedir="$cache" -cp "$bundle/jars/*" \
  dev.semblance.cuda.GpuCheck "$out" "$@" 2>&1 | tee "$out/gpu-check.log"
status=${PIPESTATUS[0]}
echo "gpu-check exit status $status" | tee -a "$out/gpu-check.log"
exit "$status"
