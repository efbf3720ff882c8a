#!/usr/bin/env bash
# Builds what gpu-check.sh needs on a GPU machine that has no JDK, no Maven and no network:
# a small JRE made with jlink, the jars, and the CUDA 13 runtime library (redistributable) from
# this machine's toolkit. Run from anywhere after the build; carry cuda-kernels/target/gpu-check.
#
#   cuda-kernels/prepare-gpu-check.sh    # then, on the GPU machine: cuda-kernels/gpu-check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$root/cuda-kernels/target/gpu-check
rm -rf "$bundle"
mkdir -p "$bundle/jars" "$bundle/lib"

cd "$root"
mvn -B -q -DskipTests package dependency:copy-dependencies -pl core,cuda-kernels \
  -DincludeScope=runtime -DoutputDirectory="$bundle/jars"
# The library jars, and the tests jar that holds GpuCheck (the library jar does not).
cp core/target/semblance-core-*[0-9T].jar cuda-kernels/target/semblance-cuda-kernels-*[0-9T].jar \
  cuda-kernels/target/semblance-cuda-kernels-*-tests.jar "$bundle/jars/"
mvn -B -q dependency:copy -Dartifact=org.slf4j:slf4j-simple:2.0.17 -DoutputDirectory="$bundle/jars"
# Image and metadata readers are not used by the check.
rm -f "$bundle"/jars/{metadata-extractor,xmpcore,imageio,common}-*.jar

jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$bundle/jre"

nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
cudart=$(find "$(dirname "$(readlink -f "$nvcc")")/.." /usr/local/cuda*/ -name 'libcudart.so.13*' 2>/dev/null | head -1)
[ -n "$cudart" ] || { echo "libcudart.so.13 not found in the CUDA toolkit" >&2; exit 1; }
cp -L "$cudart" "$bundle/lib/libcudart.so.13"

du -sh "$bundle" "$bundle"/* >&2
