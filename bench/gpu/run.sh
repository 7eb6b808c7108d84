#!/usr/bin/env bash
# Runs on a GPU machine (NVIDIA GPU, PyTorch 2.x with CUDA, CMake, ninja, nvcc;
# no package registry, no Java), from the repository root, with the folder made
# by bench/gpu/prepare.sh present as .gpu-payload/:
#   1. unpacks the Debian packages into a private prefix (never into /),
#   2. builds FiveR against PyTorch's CUDA LibTorch with ninja,
#   3. runs the test suite (CUDA kernel tests included) and a short GPU training run,
#   4. runs the Fashion-MNIST time-to-accuracy benchmark: FiveR's GPU recipe vs
#      bench/reference/fmnist_reference.py (eager and torch.compile), 3 seeds each.
# Everything it measures goes to $OUT when set, else ./gpu-results.
# Stages can be skipped: FIVER_GPU_STAGES="build test bench" (default: all).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
payload=$root/.gpu-payload
results=${OUT:-$root/gpu-results}
stages=${FIVER_GPU_STAGES:-build test bench}
seeds=${FIVER_GPU_SEEDS:-0 1 2}
build=$root/build-gpu
mkdir -p "$results"
log() { echo "[gpu $(date +%T)] $*" | tee -a "$results/run.log"; }
has_stage() { [[ " $stages " == *" $1 "* ]]; }

[[ -d $payload/debs ]] || { log "missing $payload: run bench/gpu/prepare.sh on the development machine"; exit 1; }
python3 - <<'PY' >"$results/gpu.json" 2>&1 || true
import json, torch
p = torch.cuda.get_device_properties(0) if torch.cuda.is_available() else None
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "device": p.name if p else None,
                  "capability": list(torch.cuda.get_device_capability(0)) if p else None}))
PY
log "$(cat "$results/gpu.json")"

prefix=$payload/prefix
if [[ ! -d $prefix/usr ]]; then
  mkdir -p "$prefix"
  for deb in "$payload"/debs/*.deb; do dpkg-deb -x "$deb" "$prefix" || { log "cannot unpack $deb"; exit 1; }; done
fi
export LD_LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FIVER_DATA_DIR=$payload/data

if has_stage build; then
  torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  arch=$(python3 -c 'import torch; c = torch.cuda.get_device_capability(0); print(f"{c[0]}{c[1]}")' 2>/dev/null || echo 90)
  log "configuring against $torch_prefix (sm_$arch)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" \
    -DFIVER_ANTLR_GENERATED_DIR="$payload/antlr" \
    -DFIVER_WITH_LLVM=OFF -DFIVER_WITH_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    >"$results/configure.log" 2>&1 || { log "configure failed"; tail -40 "$results/configure.log"; exit 1; }
  start=$SECONDS
  cmake --build "$build" -j "$(nproc)" >"$results/build.log" 2>&1 || {
    log "build failed"; grep -m 30 -B2 -A8 'error' "$results/build.log"; exit 1; }
  log "built in $((SECONDS - start)) s"
fi

if has_stage test; then
  start=$SECONDS
  ctest --test-dir "$build" -j "$(nproc)" --timeout 120 --output-on-failure \
    >"$results/ctest.log" 2>&1
  rc=$?
  log "ctest rc=$rc in $((SECONDS - start)) s: $(grep -E 'tests passed|tests failed' "$results/ctest.log")"
  "$build/bin/5rc" run recipes/fmnist/gpu.5r --device cuda --max-steps 50 --out "$results/smoke" \
    >"$results/smoke.log" 2>&1
  log "GPU smoke run rc=$?: $(tail -1 "$results/smoke.log")"
fi

if has_stage bench; then
  for seed in $seeds; do
    "$build/bin/5rc" run recipes/fmnist/gpu.5r --device cuda --set "seed=$seed" --quiet \
      --out "$results/fiver-s$seed" >"$results/fiver-s$seed.log" 2>&1
    log "fiver seed $seed: $(tail -1 "$results/fiver-s$seed.log")"
    for mode in eager compile; do
      flag=""; [[ $mode == compile ]] && flag=--compile
      python3 bench/reference/fmnist_reference.py $flag --seed "$seed" --data "$FIVER_DATA_DIR" \
        --model resnet_tiny --width 32 --epochs 10 --batch-size 512 --lr 0.2 \
        --ema-half-life 200 --bf16 --channels-last \
        >"$results/torch-$mode-s$seed.jsonl" 2>"$results/torch-$mode-s$seed.err"
      log "torch $mode seed $seed: $(tail -1 "$results/torch-$mode-s$seed.jsonl")"
    done
  done
  python3 bench/gpu/summarize.py "$results" | tee "$results/summary.md"
fi
