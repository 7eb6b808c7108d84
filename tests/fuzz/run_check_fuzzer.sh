#!/bin/sh
# Runs the check fuzzer for a fixed time, seeded with every .5r file of the
# repository (recipes/, stdlib/, tests/) and the regression inputs.
# usage: run_check_fuzzer.sh FUZZER SOURCE_DIR WORK_DIR SECONDS [extra libFuzzer flags]
set -eu
fuzzer=$1 src=$2 work=$3 seconds=$4
shift 4
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
find "$src/recipes" "$src/stdlib" "$src/tests" -name '*.5r' -type f | while read -r f; do
  cp "$f" "$work/seeds/$(echo "$f" | sed "s|^$src/||; s|/|_|g")"
done
cp "$src"/tests/fuzz/regressions/* "$work/seeds/" 2>/dev/null || true
# Imports in fuzz inputs resolve against the working directory: keep it empty.
mkdir -p "$work/cwd"
cd "$work/cwd"
# A fixed seed by default, so that a test run is reproducible; FIVER_FUZZ_SEED=0
# lets libFuzzer pick one for exploratory runs.
exec "$fuzzer" -seed="${FIVER_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" "$work/corpus" "$work/seeds"
