#!/usr/bin/env bash
# Train time per step of the hot Fashion-MNIST recipe with and without
# op_fusion (`--fuse` / `--no-fuse`). Runs alternate (fused, unfused, fused,
# ...) for ROUNDS rounds at one thread count so that drift and other load hit
# both alike; prints each pair and the median ratio fused/unfused of train
# seconds for a STEPS-step budget (the whole schedule squeezed into STEPS
# steps, so progressive resizing and layer freezing both happen). A first
# fused run fills a private kernel cache, so the timed runs load kernels
# instead of compiling them; their compile time is printed from summary.json.
# Besides train seconds (wall clock), each run's CPU seconds (user + system,
# whole process: start-up and the final evaluation included, alike for both)
# are compared: on a machine shared with other work, wall-clock time measures
# the other work too, CPU time far less so. Ratios only: accuracy after a few
# steps means nothing.
#
#   bench/fusion_step_time.sh [ROUNDS] [STEPS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
steps=${2:-60}
threads=${3:-1}
fivec=${FIVEC:-build/bin/5rc}
recipe=recipes/fmnist/hot.5r
export FIVER_STDLIB=${FIVER_STDLIB:-$PWD/stdlib}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export XDG_CACHE_HOME="$out/cache"

json() { python3 -c "import json,sys
s = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: s = s[k]
print(s)" "$@"; }

run() { # run NAME FLAG
  /usr/bin/time -f "%U %S" -o "$out/$1.cpu" \
    "$fivec" run "$recipe" "$2" --set "budget $steps steps" --threads "$threads" --quiet \
    --out "$out/$1" >"$out/$1.log" 2>&1 || { cat "$out/$1.log"; exit 1; }
}
cpu() { awk '{print $1 + $2}' "$out/$1.cpu"; }
median() { sort -g "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

run warmup --fuse
echo "kernel cache filled: $(json "$out/warmup/summary.json" kernels cpu compiled) CPU kernels" \
     "compiled in $(json "$out/warmup/summary.json" kernels cpu compile_seconds) s"
printf '%-6s %10s %10s %7s | %10s %10s %7s | %s\n' round fused_s unfused_s ratio \
  fused_cpu unfused_cpu ratio "fused compile_s"
for ((r = 1; r <= rounds; r++)); do
  run "fused$r" --fuse
  run "unfused$r" --no-fuse
  f=$(json "$out/fused$r/summary.json" train_seconds)
  u=$(json "$out/unfused$r/summary.json" train_seconds)
  c=$(json "$out/fused$r/summary.json" kernels cpu compile_seconds)
  fc=$(cpu "fused$r") uc=$(cpu "unfused$r")
  ratio=$(awk -v f="$f" -v u="$u" 'BEGIN {printf "%.3f", f / u}')
  cpuRatio=$(awk -v f="$fc" -v u="$uc" 'BEGIN {printf "%.3f", f / u}')
  echo "$ratio" >>"$out/ratios"
  echo "$cpuRatio" >>"$out/cpu_ratios"
  printf '%-6d %10.2f %10.2f %7s | %10.2f %10.2f %7s | %s\n' "$r" "$f" "$u" "$ratio" \
    "$fc" "$uc" "$cpuRatio" "$c"
done
echo "median ratio fused/unfused over $rounds rounds of $steps steps, $threads thread(s)" \
     "(below 1: fusion is faster): train seconds $(median "$out/ratios")," \
     "CPU seconds $(median "$out/cpu_ratios")"
