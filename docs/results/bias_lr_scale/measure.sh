#!/bin/sh
# bias_lr_scale at its default against the Fashion-MNIST baseline at 200 steps
# (about 0.43 epoch) and 3 epochs, for the seeds given.
exec bench/method_effect.sh bias_lr_scale 'replace training_algorithm static domain bias_lr_scale' "$@"
