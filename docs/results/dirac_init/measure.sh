#!/bin/sh
# recipes/fmnist/hot.5r (8 epochs, read on test) with and without dirac_init
# added (`--add`; the recipe does not use it), for the seeds given (default
# 0). The two runs of a seed train side by side, one thread each. Each run's
# output goes to docs/results/dirac_init/<name>-seed<seed>.txt. Run from the
# repository root after building.
out=docs/results/dirac_init
runs=/tmp/dirac_init-runs
method='restrict training_algorithm static domain dirac_init'
for seed in ${*:-0}; do
  build/bin/5rc run recipes/fmnist/hot.5r --set "seed $seed" --threads 1 --out $runs/hot-$seed \
    > $out/hot-seed$seed.txt 2>&1 &
  build/bin/5rc run recipes/fmnist/hot.5r --set "seed $seed" --threads 1 --add "$method" \
    --out $runs/with-$seed > $out/with-seed$seed.txt 2>&1 &
  wait
done
