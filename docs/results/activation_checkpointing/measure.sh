#!/bin/sh
# activation_checkpointing at its default (4 segments) against the
# Fashion-MNIST baseline (batch 128) at 200 steps, for the seeds given. Each
# side's summary.json holds the step's peak tensor memory ("memory").
BUDGETS=${BUDGETS:-200steps} exec bench/method_effect.sh activation_checkpointing \
  'remove derived_data static domain activation_checkpointing' "$@"
