#!/usr/bin/env bash
# How long `5rc check` takes on a generated 10,000-line file of recipes
# (1,000 recipes extending the baseline, five methods each).
#   bench/check_large_file.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
file=$(mktemp --suffix=.5r)
trap 'rm -f "$file"' EXIT
{
  echo "import \"$PWD/recipes/fmnist/baseline.5r\""
  for ((i = 0; i < 1000; i++)); do
    cat <<RECIPE
recipe r$i extends fmnist_baseline {
  budget 2 epochs
  batch_size 128
  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 50%)
  reorder derived_data static domain channels_last
  replace training_objective static domain label_smoothing(0.1)
  retrofit model_parameters dynamic domain ema(half_life: 50 steps)
  reorder model_parameters dynamic domain layer_freezing(start: 60%, end: 90%)
}

RECIPE
  done
} >"$file"
echo "$(wc -l <"$file") lines"
for ((r = 0; r < runs; r++)); do
  /usr/bin/time -f "%e s wall, %U s user, %M KiB peak" env FIVER_STDLIB=stdlib build/bin/5rc check "$file"
done
