#!/bin/sh
# low_precision_optimizer_state at its defaults (bf16 state, rounded to
# nearest) against the recipe's fp32 state, on the Fashion-MNIST baseline
# (recipes/fmnist/baseline.5r: SGD nesterov, one momentum buffer a weight)
# at STEPS steps (default 200), for the seeds given (default 0). The two runs
# of a seed train side by side, one thread each. Each run's output goes to
# docs/results/low_precision_optimizer_state/<name>-seed<seed>.txt; the
# method's run prints the state's bytes (state_bytes, fp32_state_bytes) and
# its summary.json, copied to <name>-seed<seed>.summary.json, holds them under
# "findings". Run from the repository root after building.
out=docs/results/low_precision_optimizer_state
runs=/tmp/low_precision_optimizer_state-runs
method='restrict training_algorithm static domain low_precision_optimizer_state'
for seed in ${*:-0}; do
  for name in baseline low_precision_optimizer_state; do
    add=""
    [ "$name" != baseline ] && add="$method"
    (build/bin/5rc run recipes/fmnist/baseline.5r --set "budget ${STEPS:-200} steps" \
       --set "seed $seed" --threads 1 ${add:+--add "$add"} --out $runs/$name-$seed \
       > $out/$name-seed$seed.txt 2>&1
     cp $runs/$name-$seed/summary.json $out/$name-seed$seed.summary.json) &
  done
  wait
done
