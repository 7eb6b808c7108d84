#!/usr/bin/env bash
# Runs on a GPU machine (NVIDIA GPU, PyTorch 2.x with CUDA, CMake, ninja, nvcc;
# no package registry, no Java), from the repository root, with the folder made
# by bench/gpu/prepare.sh present as .gpu-payload/:
#   build   unpacks the Debian packages into a private prefix (never into /) and
#           builds FiveR against PyTorch's CUDA LibTorch with ninja;
#   test    the CUDA tests (kernels vs eager, fused optimizers, training) and a
#           short GPU training run;
#   kernels fused chains vs eager vs device-to-device copy, fused optimizer
#           steps vs torch::optim (build-gpu/bin/fiver_cuda_bench);
#   bench   Fashion-MNIST time to 93%/94%: FiveR's GPU recipe vs
#           bench/reference/fmnist_reference.py (eager and torch.compile), one
#           run per seed each, then the recipe with fusion, channels-last, bf16
#           and the fused optimizer switched off one at a time;
#   text    recipes/text/gpu.5r (512-byte sequences) with LibTorch's fused
#           attention, then without it, without seq_length_warmup and without
#           weight_tying;
#   suite   the rest of the test suite.
# Stages can be chosen: FIVER_GPU_STAGES="build test kernels bench text suite"
# (default: all); seeds: FIVER_GPU_SEEDS (default "0 1 2"); build targets:
# FIVER_GPU_TARGETS (default: all); reference modes: FIVER_GPU_TORCH_MODES
# (default "eager compile"). The script stops starting new work after
# FIVER_GPU_DEADLINE seconds (default 480), so that it ends inside a lease. Results go to $OUT when set, else ./gpu-results: the
# log and summary as files, everything else packed in results.tar.gz.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
payload=$root/.gpu-payload
out=${OUT:-$root/gpu-results}
results=$root/build-gpu-results
stages=${FIVER_GPU_STAGES:-build test kernels bench text suite}
seeds=${FIVER_GPU_SEEDS:-0 1 2}
targets=${FIVER_GPU_TARGETS:-all}
torch_modes=${FIVER_GPU_TORCH_MODES:-eager compile}
deadline=${FIVER_GPU_DEADLINE:-480}
epochs=24 # recipes/fmnist/gpu.5r's budget; the reference trains as long
build=$root/build-gpu
rm -rf "$results"
mkdir -p "$results" "$out"
: >"$out/run.log"
# The log is written to $out as it grows: a lease that ends mid-run still returns it.
log() { echo "[gpu ${SECONDS}s] $*" | tee -a "$results/run.log" "$out/run.log"; }
has_stage() { [[ " $stages " == *" $1 "* ]]; }
time_left() { echo $((deadline - SECONDS)); }
# A time limit for one run: at most $1 seconds, and never past the deadline.
limit() { local t=$(time_left); ((t > $1)) && t=$1; ((t < 10)) && t=10; echo "$t"; }
# Packs the results on every exit: the lease returns only a few files.
finish() {
  tar czf "$out/results.tar.gz" -C "$results" . 2>/dev/null
  [[ -f $results/summary.md ]] && cp "$results/summary.md" "$out/summary.md"
}
trap finish EXIT

[[ -d $payload/debs ]] || { log "missing $payload: run bench/gpu/prepare.sh on the development machine"; exit 1; }
python3 - <<'PY' >"$results/gpu.json" 2>&1 || true
import json, torch
p = torch.cuda.get_device_properties(0) if torch.cuda.is_available() else None
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "device": p.name if p else None,
                  "capability": list(torch.cuda.get_device_capability(0)) if p else None}))
PY
log "$(cat "$results/gpu.json") $(nproc) cores, $(c++ --version | head -1)"

prefix=$root/build-gpu-prefix
if [[ ! -d $prefix/usr ]]; then
  mkdir -p "$prefix"
  for deb in "$payload"/debs/*.deb; do
    if command -v dpkg-deb >/dev/null; then
      dpkg-deb -x "$deb" "$prefix"
    else # a .deb is an ar archive holding data.tar.*
      member=$(ar t "$deb" | grep '^data\.tar') && ar p "$deb" "$member" | tar xa -C "$prefix" -f - 2>/dev/null ||
        ar p "$deb" "$member" | tar xJ -C "$prefix"
    fi || { log "cannot unpack $deb"; exit 1; }
  done
  # Links that name a file in / (zlib's libz.so) must name the prefix's copy.
  find "$prefix" -type l -lname '/*' | while read -r link; do
    ln -sfn "$prefix$(readlink "$link")" "$link"
  done
fi
export LD_LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# Libraries that packages' CMake configs name bare (antlr4-runtime's -luuid)
# are found in the prefix too.
export LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu${LIBRARY_PATH:+:$LIBRARY_PATH}
export FIVER_DATA_DIR=$payload/data
# Torch's CMake package looks for the CUDA toolkit that nvcc belongs to.
if [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export CUDAToolkit_ROOT=/usr/local/cuda CUDACXX=/usr/local/cuda/bin/nvcc PATH=/usr/local/cuda/bin:$PATH
fi

if has_stage build; then
  torch_prefix=${FIVER_TORCH_PREFIX:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}
  arch=$(python3 -c 'import torch; c = torch.cuda.get_device_capability(0); print(f"{c[0]}{c[1]}")' 2>/dev/null || echo 90)
  export TORCH_CUDA_ARCH_LIST="${arch:0:1}.${arch:1}"
  log "configuring against $torch_prefix (sm_$arch)"
  # Data-parallel runs need c10d's Gloo headers, which a PyTorch wheel may
  # lack: they stay off here (one GPU).
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix/usr" \
    -DFIVER_ANTLR_GENERATED_DIR="$payload/antlr" \
    -DFIVER_WITH_GLOO=OFF \
    -DFIVER_WITH_LLVM=OFF -DFIVER_WITH_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    -DFIVER_WITH_NCCL=ON \
    >"$results/configure.log" 2>&1 || { log "configure failed"; tail -40 "$results/configure.log"; exit 1; }
  grep -E '^-- FiveR' "$results/configure.log"
  start=$SECONDS
  # -k 0: every file that compiles is built, and every error is seen at once.
  # shellcheck disable=SC2086
  if cmake --build "$build" -j "$(nproc)" --target $targets -- -k 0 >"$results/build.log" 2>&1; then
    log "built in $((SECONDS - start)) s"
  else
    log "build FAILED in $((SECONDS - start)) s; first errors:"
    grep -E 'error|FAILED' "$results/build.log" | head -60 | tee "$out/build-errors.txt"
  fi
fi

bin=$build/bin
if has_stage test && [[ -x $bin/fiver_kernels_tests ]]; then
  start=$SECONDS
  ctest --test-dir "$build" -R 'Cuda' -j 4 --timeout 120 --output-on-failure \
    >"$results/ctest-cuda.log" 2>&1
  log "CUDA tests rc=$? in $((SECONDS - start)) s: $(grep -E 'tests passed|tests failed' "$results/ctest-cuda.log")"
  grep -E 'Failed|Passed|Skipped|\*\*\*' "$results/ctest-cuda.log" | head -40
fi
if has_stage test && [[ -x $bin/5rc ]]; then
  timeout 120 "$bin/5rc" run recipes/fmnist/gpu.5r --device cuda --fuse --max-steps 50 \
    --out "$results/smoke" >"$results/smoke.log" 2>&1
  log "GPU smoke run rc=$?: $(tail -3 "$results/smoke.log" | tr '\n' ' ')"
fi

if has_stage test && [[ -x $bin/5rc ]]; then
  timeout 90 "$bin/5rc" profile recipes/fmnist/gpu.5r --device cuda --steps 30 \
    >"$results/profile.txt" 2>&1
  log "GPU profile rc=$?"
  head -40 "$results/profile.txt"
fi

if has_stage kernels && [[ -x $bin/fiver_cuda_bench ]]; then
  timeout 120 "$bin/fiver_cuda_bench" "$results/cuda_bench.json" 2>&1 | tee "$results/cuda_bench.txt"
  log "kernel bench rc=${PIPESTATUS[0]}"
fi

# One FiveR run: run_fiver NAME [5rc options...]
run_fiver() {
  local name=$1
  shift
  timeout "$(limit 150)" "$bin/5rc" run recipes/fmnist/gpu.5r --device cuda --quiet --out "$results/$name" "$@" \
    >"$results/$name.log" 2>&1
  log "$name rc=$?: $(grep -h 'epochs (' "$results/$name.log" | tail -1) $(tail -2 "$results/$name.log" | tr '\n' ' ')"
  python3 bench/gpu/summarize.py "$results" >"$out/summary.md" 2>&1
}
if has_stage bench && [[ -x $bin/5rc ]]; then
  for seed in $seeds; do
    (($(time_left) > 40)) || { log "deadline: seed $seed and later skipped"; break; }
    run_fiver "fiver-s$seed" --fuse --set "seed=$seed"
    for mode in $torch_modes; do
      flag="" need=40
      # torch.compile spends its first minute compiling.
      [[ $mode == compile ]] && flag=--compile need=100
      (($(time_left) > need)) || { log "deadline: torch $mode seed $seed skipped"; continue; }
      timeout "$(limit 200)" python3 bench/reference/fmnist_reference.py $flag --seed "$seed" --data "$FIVER_DATA_DIR" \
        --model resnet_tiny --width 32 --epochs "$epochs" --batch-size 512 --lr 0.2 \
        --ema-half-life 200 --bf16 --channels-last \
        >"$results/torch-$mode-s$seed.jsonl" 2>"$results/torch-$mode-s$seed.err"
      log "torch $mode seed $seed rc=$?: $(tail -1 "$results/torch-$mode-s$seed.jsonl")"
      python3 bench/gpu/summarize.py "$results" >"$out/summary.md" 2>&1
    done
  done
  # What each part contributes: the recipe at seed 0 without it.
  for ablation in "no-fusion" "no-channels-last:--drop channels_last" \
    "no-bf16:--drop mixed_precision" "no-fused-optimizer:--no-fused-optimizer"; do
    (($(time_left) > 40)) || { log "deadline: ablations skipped from $ablation"; break; }
    name=${ablation%%:*}
    [[ $name == no-fusion ]] && run_fiver "ablation-$name" || run_fiver "ablation-$name" --fuse ${ablation#*:}
  done
  python3 bench/gpu/summarize.py "$results" | tee "$results/summary.md"
fi

# The text recipe: fused attention on, then each of its three parts off.
if has_stage text && [[ -x $bin/5rc ]]; then
  for side in "fused" "no-fused-attention" "no-seq-warmup:--drop seq_length_warmup" \
    "no-weight-tying:--drop weight_tying"; do
    (($(time_left) > 40)) || { log "deadline: text runs skipped from $side"; break; }
    name=text-${side%%:*}
    extra=()
    [[ $side == *:* ]] && read -r -a extra <<<"${side#*:}"
    fused=1
    [[ $side == no-fused-attention ]] && fused=0
    FIVER_FUSED_ATTENTION=$fused FIVER_DATA_DIR=$payload/text timeout "$(limit 150)" \
      "$bin/5rc" run recipes/text/gpu.5r --device cuda --quiet --out "$results/$name" "${extra[@]}" \
      >"$results/$name.log" 2>&1
    log "$name rc=$?: $(grep -h 'text_gpu:' "$results/$name.log" | tail -1) $(grep -h '^startup:' "$results/$name.log")"
  done
  python3 bench/gpu/summarize.py "$results" >"$out/summary.md" 2>&1
fi

if has_stage suite && [[ -d $build ]] && (($(time_left) > 30)); then
  start=$SECONDS
  timeout "$(time_left)" ctest --test-dir "$build" -E 'Cuda' -j "$(nproc)" --timeout 120 \
    >"$results/ctest.log" 2>&1
  log "test suite rc=$? in $((SECONDS - start)) s: $(grep -E 'tests passed|tests failed' "$results/ctest.log")"
  grep -E '\(Failed\)|\(Timeout\)|Not Run' "$results/ctest.log" | head -30
fi
