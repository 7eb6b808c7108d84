#!/bin/sh
# ghost_batchnorm at its default (ghost batches of 32: four a batch) against
# the Fashion-MNIST baseline (batch 128) at 200 steps and 1 epoch (469 steps),
# for the seeds given.
BUDGETS=${BUDGETS:-200steps 1epochs} exec bench/method_effect.sh ghost_batchnorm \
  'restrict derived_data static domain ghost_batchnorm' "$@"
