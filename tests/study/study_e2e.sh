#!/usr/bin/env bash
# `5rc study` end to end on a tiny study: the report files, one results row
# per run, and a second invocation that trains nothing (it resumes).
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out1" 2>&1 ||
  { cat "$work/out1"; fail "study failed"; }
cat "$work/out1"
for f in results.csv results.json report.md pareto.png pareto.svg environment.json; do
  [ -s "$work/s/$f" ] || fail "no $f"
done
# 3 budgets x (tiny_base, tiny_smoothed, smaller_model) + early_stop's epochs.
grid=$(grep -c -E '^tiny_(base|smoothed),(epoch_count|recipe|smaller_model)' "$work/s/results.csv")
[ "$grid" -eq 9 ] || fail "expected 9 grid rows, got $grid"
early=$(grep -c ',early_stop,' "$work/s/results.csv")
[ "$early" -ge 3 ] || fail "expected early_stop rows, got $early"
grep -q '^tiny_smoothed,recipe,20 steps,0,[0-9a-f]\{16\},' "$work/s/results.csv" || fail "no row"
grep -q 'tiny_smoothed\*\*: ' "$work/s/report.md" || fail "no verdict line"
grep -q 'Pareto frontier' "$work/s/report.md" || fail "no frontier"
grep -q '"libtorch_version"' "$work/s/environment.json" || fail "no library versions"

"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out2" 2>&1 ||
  { cat "$work/out2"; fail "second study failed"; }
cat "$work/out2"
grep -q ' 0 to train' "$work/out2" || fail "the second invocation trained again"

# Another environment's folder is refused unless merging is asked for.
sed -i 's/"threads": 1/"threads": 99/' "$work/s/environment.json"
if "$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out3" 2>&1; then
  fail "merged another environment without --merge-environments"
fi
grep -q 'merge-environments' "$work/out3" || fail "no hint about --merge-environments"
"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 \
  --merge-environments >"$work/out4" 2>&1 || { cat "$work/out4"; fail "merge failed"; }
echo "PASS: study e2e"
