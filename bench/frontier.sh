#!/usr/bin/env bash
# The Fashion-MNIST frontier: the plain reference loop (bench/reference/
# fmnist_strong.cpp) at the budgets it is fastest to 90% (4 epochs) and to
# 92% (12 epochs), the same training written as a recipe (baseline.5r), and
# the speedup recipes, each trained on the whole training split and read on
# test at the same evaluation cadence; plus the ablations of the frontier
# methods: to92 without flip_tta, hot without patch_whitening and hot without
# translate_tta. Writes the raw logs and table to OUT.
#
#   [SIDES="..."] bench/frontier.sh [OUT] [SEEDS]   (defaults: every side, docs/results/frontier, 0,1,2)
#
# About 30 minutes for three seeds on two cores. Run it on an idle machine:
# every side is timed, and the sides alternate so that drift hits all alike.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/results/frontier}
seeds=${2:-0,1,2}
ref='build/bin/fmnist_strong --out {out} --seed {seed} --threads {threads} --eval-every {eval_every}'
sides=(
  "reference_4ep=$ref --epochs 4"
  "reference_12ep=$ref --epochs 12"
  "baseline=recipes/fmnist/baseline.5r"
  "hot=recipes/fmnist/hot.5r"
  "hot_without_patch_whitening=recipes/fmnist/hot.5r --drop patch_whitening"
  "hot_without_translate_tta=recipes/fmnist/hot.5r --drop translate_tta"
  "to92=recipes/fmnist/to92.5r"
  "to92_without_flip_tta=recipes/fmnist/to92.5r --drop flip_tta"
  "to93=recipes/fmnist/to93.5r"
)
# SIDES="reference_12ep baseline hot" runs only those (the reference and the
# baseline must be among them).
args=()
for side in "${sides[@]}"; do
  [[ -z ${SIDES:-} || " $SIDES " == *" ${side%%=*} "* ]] && args+=(--side "$side")
done
mkdir -p "$out"
rm -rf "$out/runs"
python3 bench/time_to_accuracy.py "${args[@]}" \
  --reference reference_12ep --baseline baseline \
  --targets 0.90,0.91,0.92,0.93 --seeds "$seeds" --eval-every 117 --threads 2 \
  --keep "$out/runs" --json "$out/table.json" | tee "$out/table.txt"
