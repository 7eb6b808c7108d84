#!/bin/sh
# The Fashion-MNIST baseline (recipes/fmnist/baseline.5r, batch 128, its
# schedule fitted to each budget) at 200 steps and at 1 epoch (469 steps),
# with and without ghost_batchnorm at its default (ghost batches of 32: four
# a batch), for the seeds given (default 0); BUDGETS picks the budgets
# (default "200steps 1epochs"). The two runs of a seed and budget train side
# by side, one thread each. Each run's output goes to
# docs/results/ghost_batchnorm/<name>-<budget>-seed<seed>.txt. Run from the
# repository root after building.
out=docs/results/ghost_batchnorm
runs=/tmp/ghost_batchnorm-runs
method='restrict derived_data static domain ghost_batchnorm'
for seed in ${*:-0}; do
  for budget in ${BUDGETS:-200steps 1epochs}; do
    set -- --set "budget ${budget%%[a-z]*} ${budget##*[0-9]}" --set "seed $seed" --threads 1
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --out $runs/baseline-$budget-$seed \
      > $out/baseline-$budget-seed$seed.txt 2>&1 &
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --add "$method" \
      --out $runs/ghost_batchnorm-$budget-$seed \
      > $out/ghost_batchnorm-$budget-seed$seed.txt 2>&1 &
    wait
  done
done
