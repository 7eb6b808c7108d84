#!/bin/sh
# One method's effect, as its card reports it: a base recipe trained with and
# without the method, the two runs side by side (one thread each), at each
# budget and seed given. A budget is written like "200steps" or "3epochs";
# the recipe's schedule is fitted to it.
#
#   bench/method_effect.sh NAME 'METHOD LINE' [SEED...]        (default seed 0)
#     RECIPE   the base recipe (default recipes/fmnist/baseline.5r)
#     BUDGETS  the budgets (default "200steps 3epochs")
#
# Each run's console output goes to docs/results/NAME/<side>-<budget>-seed<seed>.txt,
# its evaluation log (docs/eval-log.md) beside it as .eval.jsonl and its
# summary (figures and the methods' findings) as .summary.json, where <side>
# is "baseline" or NAME. Run from the repository root after building.
set -eu
name=$1
line=$2
shift 2
out=docs/results/$name
runs=/tmp/$name-runs
mkdir -p "$out"

train() { # SIDE BUDGET SEED [--add LINE]
  side=$1 budget=$2 seed=$3
  shift 3
  build/bin/5rc run "${RECIPE:-recipes/fmnist/baseline.5r}" \
    --set "budget ${budget%%[a-z]*} ${budget##*[0-9]}" --set "seed $seed" --threads 1 "$@" \
    --out "$runs/$side-$budget-$seed" >"$out/$side-$budget-seed$seed.txt" 2>&1
  for log in eval.jsonl summary.json; do
    cp "$runs/$side-$budget-$seed/$log" "$out/$side-$budget-seed$seed.$log"
  done
}

for seed in ${*:-0}; do
  for budget in ${BUDGETS:-200steps 3epochs}; do
    train baseline "$budget" "$seed" &
    train "$name" "$budget" "$seed" --add "$line" &
    wait
  done
done
