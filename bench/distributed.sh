#!/usr/bin/env bash
# Data parallelism on this machine: step time and images/s for 1 rank vs 2
# ranks (1 thread each, the same global batch), run back to back, and the bytes
# each rank all-reduces per step plain, with powersgd, with sign_compression
# and with layer_freezing (before and after the layers freeze).
#
#   bench/distributed.sh [STEPS] [RECIPE.5r]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-100}
recipe=${2:-recipes/fmnist/baseline.5r}
fivec=build/bin/5rc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name, then extra 5rc run arguments
  local name=$1
  shift
  "$fivec" run "$recipe" --quiet --max-steps "$steps" --out "$out/$name" "$@" >"$out/$name.log" 2>&1 ||
    { cat "$out/$name.log"; exit 1; }
}

report() { # name, label
  python3 - "$out/$1" "$2" "$steps" <<'PY'
import json, sys
folder, label, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = json.load(open(f"{folder}/summary.json"))
comm = s.get("bytes_all_reduced_per_step")
step_ms = 1000 * s["train_seconds"] / max(1, s["steps"])
line = f"{label:<34} {step_ms:8.1f} ms/step {s['images_per_second']:9.0f} img/s"
if comm:
    line += (f"   all-reduced per step and rank: first {comm['first'] / 1024:6.1f} KiB,"
             f" mean {comm['mean'] / 1024:6.1f} KiB, last {comm['last'] / 1024:6.1f} KiB")
print(line)
PY
}

run one --threads 1
run two --nproc 2
run powersgd --nproc 2 --add 'restrict derived_data static domain powersgd(rank: 2)'
run sign --nproc 2 --add 'restrict derived_data static domain sign_compression'
run freezing --nproc 2 --add 'reorder model_parameters dynamic domain layer_freezing(start: 20%, end: 60%)' \
  --set "budget=$steps steps"

echo "recipe $recipe, $steps steps, global batch as in the recipe, 1 thread per rank"
report one "1 rank"
report two "2 ranks"
report powersgd "2 ranks + powersgd(rank: 2)"
report sign "2 ranks + sign_compression"
report freezing "2 ranks + layer_freezing (20%-60%)"
python3 - "$out/one/summary.json" "$out/two/summary.json" <<'PY'
import json, sys
one, two = (json.load(open(p)) for p in sys.argv[1:])
print(f"2-rank speedup in images/s: {two['images_per_second'] / one['images_per_second']:.2f}x")
PY
