#!/bin/sh
# The text baseline (recipes/text/baseline.5r: tiny_gpt on fortunes_text,
# batch 64, AdamW, one-cycle) cut to 150 steps (about half an epoch, the
# schedule fitted to them), with and without alibi, for the seeds given
# (default 0). The two runs of a seed train side by side, one thread each. Each run's
# console output goes to docs/results/alibi/<name>-seed<seed>.txt and its
# per-epoch evaluation records (test loss in nats per token, accuracy) to
# <name>-seed<seed>.eval.jsonl. Run from the repository root after building.
out=docs/results/alibi
runs=/tmp/alibi-runs
for seed in ${*:-0}; do
  for name in baseline alibi; do
    add=""
    [ "$name" = alibi ] && add="retrofit derived_data static domain alibi"
    (build/bin/5rc run recipes/text/baseline.5r --set 'budget 150 steps' --set "seed $seed" \
       --threads 1 \
       ${add:+--add "$add"} --out $runs/$name-$seed > $out/$name-seed$seed.txt 2>&1
     grep '"event":"eval"' $runs/$name-$seed/metrics.jsonl > $out/$name-seed$seed.eval.jsonl) &
  done
  wait
done
