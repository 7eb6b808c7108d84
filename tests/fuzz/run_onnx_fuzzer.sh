#!/bin/sh
# Runs the ONNX importer fuzzer for a fixed time, seeded with the ONNX files
# of the golden diagnostics (small models, each with one defect) and tiny
# transformers whose shape subgraphs exercise the constant folding
# (tests/fuzz/onnx_seeds, written by tools/onnx/export_fuzz_seeds.py).
# usage: run_onnx_fuzzer.sh FUZZER SOURCE_DIR WORK_DIR SECONDS [extra libFuzzer flags]
set -eu
fuzzer=$1 src=$2 work=$3 seconds=$4
shift 4
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
cp "$src"/tests/golden/diagnostics/onnx/*.onnx "$src"/tests/fuzz/onnx_seeds/*.onnx "$work/seeds/"
exec "$fuzzer" -seed="${FIVER_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" "$work/corpus" "$work/seeds"
