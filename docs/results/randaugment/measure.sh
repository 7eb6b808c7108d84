#!/bin/sh
# randaugment at its defaults (2 ops, magnitude 9) against the Fashion-MNIST
# baseline at 200 steps (about 0.43 epoch) and 3 epochs, for the seeds given.
exec bench/method_effect.sh randaugment 'retrofit training_data dynamic domain randaugment' "$@"
