#!/bin/sh
# recipes/fmnist/hot.5r (8 epochs, read on test) with and without patch_whitening
# (`--drop patch_whitening`), for the seeds given (default 0). The two runs of a seed
# train side by side, one thread each. Each run's output goes to
# docs/results/patch_whitening/<name>-seed<seed>.txt. Run from the repository root after
# building.
out=docs/results/patch_whitening
runs=/tmp/patch_whitening-runs
for seed in ${*:-0}; do
  build/bin/5rc run recipes/fmnist/hot.5r --set "seed $seed" --threads 1 --out $runs/hot-$seed \
    > $out/hot-seed$seed.txt 2>&1 &
  build/bin/5rc run recipes/fmnist/hot.5r --set "seed $seed" --threads 1 --drop patch_whitening \
    --out $runs/without-$seed > $out/without-seed$seed.txt 2>&1 &
  wait
done
