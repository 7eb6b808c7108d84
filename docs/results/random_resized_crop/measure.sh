#!/bin/sh
# random_resized_crop at its defaults against the Fashion-MNIST baseline at
# 200 steps (about 0.43 epoch) and 3 epochs, for the seeds given.
exec bench/method_effect.sh random_resized_crop 'retrofit training_data dynamic domain random_resized_crop' "$@"
