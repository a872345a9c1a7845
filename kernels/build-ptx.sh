#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu to PTX.
#
#   kernels/build-ptx.sh            writes src/main/resources/io/rlhf4j/kernels/<name>.ptx
#   kernels/build-ptx.sh OUT_DIR    writes OUT_DIR/<name>.ptx (the reproducibility test uses this)
#
# Flags, chosen so the output is a pure function of the sources and the nvcc release:
#   -ptx -arch=compute_90   PTX for sm_90 (H100/H200); the driver JIT-compiles it at load time.
#   -O3 -std=c++17          no -lineinfo and no -G: -lineinfo embeds absolute source paths
#                           (.file directives), so the PTX would depend on the checkout location.
#   no --use_fast_math      exp/log accuracy matters for log-probabilities; the kernels pick
#                           their fast paths explicitly (exp2f in the log2 domain).
# Then the `.version` line is lowered from nvcc 13's ISA 9.0 (needs a CUDA 13 driver) to 8.0
# (CUDA 12.0, driver >= 525): the kernels use nothing newer, and ptxas re-checks every feature
# against the declared ISA (KernelsPtxTest assembles the committed files).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/src/main/resources/io/rlhf4j/kernels}"
ptx_isa="8.0"
nvcc_bin="${NVCC:-nvcc}"
mkdir -p "$out"
cd "$src"   # relative source names: nothing path-dependent reaches the PTX
for cu in *.cu; do
  name="${cu%.cu}"
  tmp="$out/$name.ptx.tmp"
  "$nvcc_bin" -ptx -arch=compute_90 -O3 -std=c++17 -I. -o "$tmp" "$cu"
  grep -q '^\.version 9\.0$' "$tmp" || { echo "build-ptx: unexpected .version in $cu: $(grep '^\.version' "$tmp")" >&2; exit 1; }
  sed "s/^\.version 9\.0$/.version $ptx_isa/" "$tmp" > "$out/$name.ptx"
  rm -f "$tmp"
  echo "built $out/$name.ptx"
done
