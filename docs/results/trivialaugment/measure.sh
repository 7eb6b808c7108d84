#!/bin/sh
# The Fashion-MNIST baseline (recipes/fmnist/baseline.5r, its schedule fitted
# to each budget) at two budgets, 200 steps (128 images each, about 0.43
# epoch) and 3 epochs, with and without trivialaugment, for the seeds given
# (default 0); BUDGETS picks the budgets (default "200steps 3epochs"). The
# two runs of a seed and budget train side by side, one thread each. Each
# run's output goes to docs/results/trivialaugment/<name>-<budget>-seed<seed>.txt.
# Run from the repository root after building.
out=docs/results/trivialaugment
runs=/tmp/trivialaugment-runs
method='retrofit training_data dynamic domain trivialaugment'
for seed in ${*:-0}; do
  for budget in ${BUDGETS:-200steps 3epochs}; do
    set -- --set "budget ${budget%%[a-z]*} ${budget##*[0-9]}" --set "seed $seed" --threads 1
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --out $runs/baseline-$budget-$seed \
      > $out/baseline-$budget-seed$seed.txt 2>&1 &
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --add "$method" \
      --out $runs/trivialaugment-$budget-$seed \
      > $out/trivialaugment-$budget-seed$seed.txt 2>&1 &
    wait
  done
done
