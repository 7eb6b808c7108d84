#!/bin/sh
# The Fashion-MNIST baseline (recipes/fmnist/baseline.5r, its schedule fitted
# to each budget) at two budgets, 200 steps (128 images each, about 0.43
# epoch) and 3 epochs, with and without random_resized_crop at its
# defaults, for the seeds given (default 0). The two runs of a seed and
# budget train side by side, one thread each. Each run's output goes to
# docs/results/random_resized_crop/<name>-<budget>-seed<seed>.txt.
# Run from the repository root after building.
out=docs/results/random_resized_crop
runs=/tmp/random_resized_crop-runs
crop='retrofit training_data dynamic domain random_resized_crop'
for seed in ${*:-0}; do
  for budget in 200steps 3epochs; do
    set -- --set "budget ${budget%%[a-z]*} ${budget##*[0-9]}" --set "seed $seed" --threads 1
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --out $runs/baseline-$budget-$seed \
      > $out/baseline-$budget-seed$seed.txt 2>&1 &
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" --add "$crop" \
      --out $runs/random_resized_crop-$budget-$seed \
      > $out/random_resized_crop-$budget-seed$seed.txt 2>&1 &
    wait
  done
done
