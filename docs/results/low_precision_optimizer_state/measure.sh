#!/bin/sh
# low_precision_optimizer_state at its defaults (bf16 state, rounded to
# nearest) against the Fashion-MNIST baseline's fp32 state (SGD nesterov: one
# momentum buffer a weight) at 200 steps, for the seeds given. The method's
# summary.json holds the state's bytes (state_bytes, fp32_state_bytes) under
# "findings".
BUDGETS=${BUDGETS:-200steps} exec bench/method_effect.sh low_precision_optimizer_state \
  'restrict training_algorithm static domain low_precision_optimizer_state' "$@"
