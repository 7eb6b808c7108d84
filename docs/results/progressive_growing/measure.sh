#!/bin/sh
# progressive_growing at its defaults against the same training without it,
# on resnet_tiny (docs/results/progressive_growing/resnet_tiny.5r), at 200
# steps and 3 epochs, for the seeds given.
RECIPE=docs/results/progressive_growing/resnet_tiny.5r \
  exec bench/method_effect.sh progressive_growing 'reorder architecture dynamic domain progressive_growing' "$@"
