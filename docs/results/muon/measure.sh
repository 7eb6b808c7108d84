#!/bin/sh
# muon at its defaults (lr 0.02, momentum 0.95, 5 Newton-Schulz steps)
# against the recipes' own optimizers, for the seeds given (default 0):
#  - Fashion-MNIST (recipes/fmnist/baseline.5r: SGD nesterov, lr 0.2) at
#    FMNIST_STEPS steps (default 200);
#  - the text task (recipes/text/baseline.5r: tiny_gpt on fortunes_text,
#    AdamW lr 3e-3, one-cycle) cut to TEXT_STEPS steps (default 60), the
#    schedule fitted to them.
# TASKS picks the tasks (default "fmnist text"). The runs of a seed train
# side by side, one thread each. Each run's
# output goes to docs/results/muon/<task>-<name>-seed<seed>.txt, and the text
# runs' evaluation records (test loss in nats per token, accuracy) to
# <task>-<name>-seed<seed>.eval.jsonl. Run from the repository root after
# building.
out=docs/results/muon
runs=/tmp/muon-runs
method='replace training_algorithm dynamic domain muon'
for seed in ${*:-0}; do
  for name in baseline muon; do
    add=""
    [ "$name" = muon ] && add="$method"
    case "${TASKS:-fmnist text}" in *fmnist*)
    build/bin/5rc run recipes/fmnist/baseline.5r --set "budget ${FMNIST_STEPS:-200} steps" \
      --set "seed $seed" --threads 1 ${add:+--add "$add"} --out $runs/fmnist-$name-$seed \
      > $out/fmnist-$name-seed$seed.txt 2>&1 & ;; esac
    case "${TASKS:-fmnist text}" in *text*)
    (build/bin/5rc run recipes/text/baseline.5r --set "budget ${TEXT_STEPS:-60} steps" \
       --set "seed $seed" --threads 1 ${add:+--add "$add"} --out $runs/text-$name-$seed \
       > $out/text-$name-seed$seed.txt 2>&1
     grep '"event":"eval"' $runs/text-$name-$seed/metrics.jsonl \
       > $out/text-$name-seed$seed.eval.jsonl) & ;; esac
  done
  wait
done
