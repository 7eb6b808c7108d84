#!/bin/sh
# channel_pruning at its defaults (half the filters of every prunable
# convolution removed at 25% of the budget) against the Fashion-MNIST
# baseline, whose five convolutions all qualify, at 200 steps and 3 epochs,
# for the seeds given.
BUDGETS=${BUDGETS:-200steps 3epochs} exec bench/method_effect.sh channel_pruning \
  'remove model_parameters dynamic domain channel_pruning' "$@"
