#!/bin/sh
# memory_efficient_attention at its default (blocks of 64 queries) against
# the text baseline (tiny_gpt(128, 2, 4), 128 tokens, batch 64) at 100 steps,
# for the seeds given. Each side's summary.json holds the step's peak tensor
# memory ("memory").
RECIPE=${RECIPE:-recipes/text/baseline.5r} BUDGETS=${BUDGETS:-100steps} \
  exec bench/method_effect.sh memory_efficient_attention \
  'remove derived_data static domain memory_efficient_attention' "$@"
