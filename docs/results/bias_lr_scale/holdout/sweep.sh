#!/bin/sh
# How the default scale was chosen: the Fashion-MNIST baseline with 10,000
# training images held out (never the test split), seed 0, one thread a run,
# two runs side by side, at 200 steps and 2 epochs, without the method
# ("base") and with scale 4, 8, 16, 32 and 64 ("sN"); and recipes/fmnist/hot.5r
# (8 epochs) with and without scale 8. Console output: NAME-BUDGET.txt, hot-NAME.txt.
# (The 2-epoch runs kept here were paired s32 with s64 and s4 with s16.)
set -eu
out=docs/results/bias_lr_scale/holdout
run() { # RECIPE NAME SCALE [SET...]
  recipe=$1 name=$2 scale=$3
  shift 3
  if [ "$scale" = 0 ]; then add=""; else add="replace training_algorithm static domain bias_lr_scale(scale: $scale)"; fi
  build/bin/5rc run "$recipe" --set holdout=10000 --threads 1 "$@" ${add:+--add "$add"} \
    --out "/tmp/bias_lr_scale-holdout/$name" >"$out/$name.txt" 2>&1
}
for budget in 200steps 2epochs; do
  for pair in "0 8" "16 64" "4 32"; do
    set -- $pair
    run recipes/fmnist/baseline.5r "$( [ "$1" = 0 ] && echo base || echo "s$1")-$budget" "$1" --set "budget=$budget" &
    run recipes/fmnist/baseline.5r "s$2-$budget" "$2" --set "budget=$budget" &
    wait
  done
done
run recipes/fmnist/hot.5r hot-base 0 &
run recipes/fmnist/hot.5r hot-s8 8 &
wait
