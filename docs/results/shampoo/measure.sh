#!/bin/sh
# shampoo at its defaults against the Fashion-MNIST baseline at 200 steps
# (about 0.43 epoch) and 3 epochs, for the seeds given.
exec bench/method_effect.sh shampoo 'retrofit training_algorithm dynamic domain shampoo' "$@"
