#!/usr/bin/env bash
# Compiles the search kernels into one fat binary: SASS for sm_90 (H100/H200) and PTX for
# compute_90, which the driver compiles for newer GPUs on first load. Done at build time rather
# than with NVRTC at run time so that compile errors fail the build and no NVRTC library has to
# be present where Semblance runs. Without nvcc the module is built without kernels and every
# gallery searches on the CPU (the accelerator says why).
#
#   build-kernels.sh SOURCE.cu OUTPUT.fatbin
set -euo pipefail
source=$1
output=$2
nvcc=$(command -v nvcc || true)
[ -n "$nvcc" ] || [ ! -x /usr/local/cuda/bin/nvcc ] || nvcc=/usr/local/cuda/bin/nvcc
if [ -z "$nvcc" ]; then
  echo "WARNING: nvcc not found; building semblance-cuda-kernels without GPU kernels" >&2
  exit 0
fi
mkdir -p "$(dirname "$output")"
if [ "$output" -nt "$source" ]; then
  exit 0
fi
"$nvcc" -O3 -std=c++17 --fatbin \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -o "$output.tmp" "$source"
mv "$output.tmp" "$output"
