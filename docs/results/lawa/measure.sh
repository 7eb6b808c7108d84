#!/bin/sh
# The Fashion-MNIST baseline cut to 200 steps (128 images each, about 0.43
# epoch), with and without lawa averaging the last 3 states saved every 40
# steps, for the seeds given (default 0). The two runs of a seed train side
# by side. Each run's output goes to docs/results/lawa/<name>-seed<seed>.txt.
# Run from the repository root after building.
out=docs/results/lawa
for seed in ${*:-0}; do
  build/bin/5rc run recipes/fmnist/baseline.5r --set 'budget 200 steps' --set "seed $seed" \
    --out /tmp/lawa-runs/baseline-$seed > $out/baseline-seed$seed.txt 2>&1 &
  build/bin/5rc run recipes/fmnist/baseline.5r --set 'budget 200 steps' --set "seed $seed" \
    --add 'retrofit model_parameters dynamic domain lawa(k: 3, every: 40 steps)' \
    --out /tmp/lawa-runs/lawa-$seed > $out/lawa-seed$seed.txt 2>&1 &
  wait
done
