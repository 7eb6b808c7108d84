#!/usr/bin/env bash
# What importing a model costs at run time (issue: bring your own model):
#  1. a ResNet declared in .5r (resnet_tiny(width: 32, blocks: 1)) against the
#     same network imported from ONNX: trained one step, exported with
#     `5rc export`, and named by `model onnx(...)`; the step times must agree;
#  2. torchvision's ResNet-18 imported from ONNX (build/onnx-models, exported by
#     tools/onnx/export_reference_models.py) against a plain PyTorch eager loop
#     of the same network (bench/reference/resnet18_eager.py, Debian's
#     python3-torch, the same Torch 1.13 as LibTorch), fp32 on both sides.
# Step time = train seconds between step 50 and the last step, over those
# steps (metrics.jsonl), so start-up and first-step costs are left out. The
# sides alternate over ROUNDS rounds; medians and their ratios are printed.
#
#   bench/onnx_import.sh [OUT]     (default docs/results/onnx_import; ROUNDS=3 STEPS=150)
#
# About 10 minutes on two cores. Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/results/onnx_import}
rounds=${ROUNDS:-3}
steps=${STEPS:-150}
threads=${THREADS:-2}
bin=build/bin
models=build/onnx-models
[ -s "$models/resnet18.onnx" ] || { echo "build/onnx-models/resnet18.onnx missing: build the tests first" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

recipe() { # NAME MODEL-LINE
  cat <<R
recipe $1 {
  task fashion_mnist
  model $2
  optimizer sgd(lr: 0.05, momentum: 0.9, nesterov: true)
  schedule constant
  batch_size 128
  budget $steps steps
  seed 0
}
R
}
recipe native_resnet 'resnet_tiny(width: 32, blocks: 1)' >"$work/native.5r"
"$bin/5rc" run "$work/native.5r" --out "$work/seed_run" --threads "$threads" --quiet \
  --set 'budget 1 steps' >/dev/null
"$bin/5rc" export "$work/seed_run" -o "$work/resnet_tiny.onnx" >/dev/null
recipe imported_resnet 'onnx("resnet_tiny.onnx")' >"$work/imported.5r"
cp "$models/resnet18.onnx" "$work/resnet18.onnx"
recipe imported_resnet18 'onnx("resnet18.onnx", channels: sum)' >"$work/resnet18.5r"

step_seconds() { # RUN_DIR: mean train seconds per step after step 50
  python3 - "$1/metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"event":"train"' in l]
first = next(r for r in rows if r["step"] >= 50)
last = rows[-1]
print((last["train_seconds"] - first["train_seconds"]) / (last["step"] - first["step"]))
PY
}

: >"$out/rounds.tsv"
for round in $(seq 1 "$rounds"); do
  for side in native imported resnet18; do
    "$bin/5rc" run "$work/$side.5r" --out "$work/$side-$round" --threads "$threads" --quiet >/dev/null
    printf '%s\t%s\t%s\n' "$round" "$side" "$(step_seconds "$work/$side-$round")" >>"$out/rounds.tsv"
  done
  eager=$(/usr/bin/python3 bench/reference/resnet18_eager.py "$steps" "$threads" 50)
  printf '%s\t%s\t%s\n' "$round" eager "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["step_seconds"])' "$eager")" >>"$out/rounds.tsv"
done
cp "$work/native.5r" "$work/imported.5r" "$work/resnet18.5r" "$out/"
python3 - "$out/rounds.tsv" <<'PY' | tee "$out/table.txt"
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, side, seconds = line.split("\t")
    times[side].append(float(seconds))
med = {side: statistics.median(v) for side, v in times.items()}
for side, v in times.items():
    print(f"{side:10s} median {med[side] * 1e3:8.2f} ms/step  rounds " + " ".join(f"{x * 1e3:.2f}" for x in v))
print(f"imported / native resnet_tiny(32, 1): {med['imported'] / med['native']:.3f}")
print(f"FiveR imported resnet18 / PyTorch eager resnet18: {med['resnet18'] / med['eager']:.3f}")
PY
