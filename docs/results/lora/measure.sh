#!/bin/sh
# lora against full fine-tuning of the same pretrained model. The
# Fashion-MNIST baseline trained for 2 epochs is exported to ONNX (the
# pretrained model); finetune.5r fine-tunes it for one more epoch twice, side
# by side, one thread each: every layer training, and with lora (rank 8,
# alpha 16). Seeds as arguments (default 0). Then lora's fine-tuned model is
# exported with its adapters folded into its layers. Run from the repository
# root after building.
set -eu
out=docs/results/lora
runs=/tmp/lora-runs
mkdir -p "$runs"
if [ ! -s "$runs/pretrained.onnx" ]; then
  build/bin/5rc run recipes/fmnist/baseline.5r --set "budget 2 epochs" --threads 2 \
    --out "$runs/pretrain" >"$out/pretrain.txt" 2>&1
  build/bin/5rc export "$runs/pretrain" -o "$runs/pretrained.onnx" >"$out/export-pretrained.txt" 2>&1
fi
cp "$out/finetune.5r" "$runs/finetune.5r"

train() { # SIDE SEED [--add LINE]
  side=$1 seed=$2
  shift 2
  build/bin/5rc run "$runs/finetune.5r" --set "seed $seed" --threads 1 "$@" \
    --out "$runs/$side-$seed" >"$out/$side-seed$seed.txt" 2>&1
  for log in eval.jsonl summary.json; do
    cp "$runs/$side-$seed/$log" "$out/$side-seed$seed.$log"
  done
}

for seed in ${*:-0}; do
  train full "$seed" &
  train lora "$seed" --add 'restrict model_parameters static domain lora(rank: 8, alpha: 16.0)' &
  wait
done
build/bin/5rc export "$runs/lora-${1:-0}" -o "$runs/lora.onnx" >"$out/export-lora.txt" 2>&1
