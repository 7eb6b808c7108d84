#!/bin/sh
# alibi against the text baseline (recipes/text/baseline.5r: tiny_gpt on
# fortunes_text, batch 64, AdamW, one-cycle) cut to 150 steps (about half an
# epoch), for the seeds given. The evaluation logs hold the test loss in nats
# per token and the next-byte accuracy.
RECIPE=recipes/text/baseline.5r BUDGETS=150steps exec bench/method_effect.sh alibi \
  'retrofit derived_data static domain alibi' "$@"
