#!/bin/sh
# The Fashion-MNIST baseline (recipes/fmnist/baseline.5r, batch 128, its
# schedule fitted to the budget) at 1 epoch of the full data (469 steps),
# alone and with dynamic_data_pruning keeping 50% of each class per epoch,
# chosen at random and by last training loss: the same steps spread over
# about two pruned epochs. For the seeds given (default 0); the three runs
# of a seed train side by side, one thread each. Each run's output goes to
# docs/results/dynamic_data_pruning/<name>-seed<seed>.txt. Run from the
# repository root after building.
out=docs/results/dynamic_data_pruning
runs=/tmp/dynamic_data_pruning-runs
for seed in ${*:-0}; do
  set -- --set "budget 1 epochs" --set "seed $seed" --threads 1
  build/bin/5rc run recipes/fmnist/baseline.5r "$@" --out $runs/baseline-$seed \
    > $out/baseline-seed$seed.txt 2>&1 &
  for score in random loss; do
    info=domain
    [ $score = loss ] && info=learned
    build/bin/5rc run recipes/fmnist/baseline.5r "$@" \
      --add "remove training_data dynamic $info dynamic_data_pruning(keep: 50%, score: $score)" \
      --out $runs/$score-$seed > $out/$score-seed$seed.txt 2>&1 &
  done
  wait
done
