#!/bin/sh
# The text baseline's training steps with FiveR's linear layers and attention
# products on oneDNN's sgemm (the default) and on LibTorch's own
# (torch::linear, torch::bmm: FIVER_DENSE_LINEAR=0), sides alternating over
# rounds, on a quiet machine:
#   bench/gemm/text_steps.sh [ROUNDS] [STEPS]      (defaults 3 and 30)
# Prints one line a run: round, side, train seconds, test accuracy.
set -eu
rounds=${1:-3}
steps=${2:-30}
echo "# $steps steps of recipes/text/baseline.5r, 2 threads; $(grep -m1 'model name' /proc/cpuinfo)"
echo "# round side train_seconds test_accuracy"
r=1
while [ "$r" -le "$rounds" ]; do
  for side in libtorch onednn; do
    setting=1
    [ "$side" = libtorch ] && setting=0
    out=/tmp/text-steps-$side-$r
    FIVER_DENSE_LINEAR=$setting build/bin/5rc run recipes/text/baseline.5r --max-steps "$steps" \
      --threads 2 --out "$out" >"$out.log" 2>&1
    /usr/bin/python3 -c "import json,sys; d=json.load(open('$out/summary.json')); print($r, '$side', round(d['train_seconds'], 2), d['test_accuracy'])"
  done
  r=$((r + 1))
done
