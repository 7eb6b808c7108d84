#!/bin/sh
# lawa averaging the last 3 states saved every 40 steps against the
# Fashion-MNIST baseline cut to 200 steps (about 0.43 epoch), for the seeds given.
BUDGETS=200steps exec bench/method_effect.sh lawa \
  'retrofit model_parameters dynamic domain lawa(k: 3, every: 40 steps)' "$@"
