#!/usr/bin/env bash
# Time-to-accuracy on Fashion-MNIST: the baseline and the speedup recipe run in
# turn (A B A B ...) on this machine, so drift affects both alike. Prints each
# run's train seconds and test accuracy, then the median ratio of train time.
#
#   bench/fmnist_time_to_accuracy.sh [ROUNDS] [BASELINE.5r] [RECIPE.5r]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
baseline=${2:-recipes/fmnist/baseline.5r}
recipe=${3:-recipes/fmnist/fast.5r}
fivec=build/bin/5rc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The run's last line: "<recipe>: N epochs (S steps), test accuracy A%, train T s"
summary() { awk '/test accuracy/ {gsub("%,", ""); print $(NF-1), $(NF-3) / 100}' "$1"; }

ratios=()
for ((i = 1; i <= rounds; i++)); do
  "$fivec" run "$baseline" --out "$out/a$i" --quiet >"$out/a$i.log"
  "$fivec" run "$recipe" --out "$out/b$i" --quiet >"$out/b$i.log"
  read -r ta aa < <(summary "$out/a$i.log")
  read -r tb ab < <(summary "$out/b$i.log")
  printf 'round %d  baseline %7.1f s  %6.2f%%   recipe %7.1f s  %6.2f%%   speedup %.2fx\n' \
    "$i" "$ta" "$(awk "BEGIN{print $aa*100}")" "$tb" "$(awk "BEGIN{print $ab*100}")" \
    "$(awk "BEGIN{print $ta/$tb}")"
  ratios+=("$(awk "BEGIN{print $ta/$tb}")")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END{printf "median speedup (baseline/recipe train time): %.2fx over %d rounds\n", a[int((NR+1)/2)], NR}'
