#!/usr/bin/env bash
# Train time per step of the data methods that change what a step computes,
# against the Fashion-MNIST baseline. Runs go in turn (baseline, each method,
# baseline, ...) for ROUNDS rounds so drift affects all alike; prints the
# median ratio method/baseline of train seconds for STEPS steps. Timing ratios
# only: accuracy after a few steps means nothing.
#
#   bench/data_methods_step_time.sh [ROUNDS] [STEPS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
steps=${2:-40}
threads=${3:-1}
fivec=build/bin/5rc
export FIVER_STDLIB=${FIVER_STDLIB:-$PWD/stdlib}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

names=(baseline selective_backprop colout augmentation_multiplicity batch_size_warmup)
adds=(
  ""
  "remove derived_data dynamic domain selective_backprop(keep: 50%, start: 0%, end: 100%, interrupt: 0)"
  "remove training_data dynamic domain colout(p_row: 0.25, p_col: 0.25)"
  "retrofit training_data static domain augmentation_multiplicity(copies: 2, keep_batch_size: false)"
  "restrict training_algorithm dynamic domain batch_size_warmup(from: 0.25, until: 100%)"
)

# The run's total train seconds: the last "train_seconds" of summary.json.
seconds() { awk -F'[:,]' '/"train_seconds"/ {v = $2} END {print v + 0}' "$1/summary.json"; }

for ((r = 1; r <= rounds; r++)); do
  for i in "${!names[@]}"; do
    args=("$fivec" run recipes/fmnist/baseline.5r --out "$out/${names[$i]}$r" --quiet
          --threads "$threads" --max-steps "$steps")
    [ -n "${adds[$i]}" ] && args+=(--add "${adds[$i]}")
    "${args[@]}" >"$out/${names[$i]}$r.log"
    echo "${names[$i]} $(seconds "$out/${names[$i]}$r")" >>"$out/times"
  done
done

echo "train seconds for $steps steps (first round) and the median over $rounds rounds of"
echo "the ratio to the baseline run of the same round"
for m in "${names[@]}"; do
  first=$(awk -v m="$m" '$1 == m {print $2; exit}' "$out/times")
  median=$(awk -v m="$m" '$1 == "baseline" {b[++nb] = $2} $1 == m {t[++nt] = $2}
                          END {for (j = 1; j <= nt; j++) print t[j] / b[j]}' "$out/times" |
           sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  printf '%-28s %8.2f s   %.2fx\n' "$m" "$first" "$median"
done
