#!/usr/bin/env bash
# `5rc study` end to end on a tiny study: the report files, one results row
# per run with its FLOPs and parameters, significance-aware verdicts, a second
# invocation that trains nothing (it resumes), and a re-analysis of the
# results alone.
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out1" 2>&1 ||
  { cat "$work/out1"; fail "study failed"; }
cat "$work/out1"
for f in results.csv results.json report.md speedups.json pareto.png pareto.svg environment.json; do
  [ -s "$work/s/$f" ] || fail "no $f"
done
# 3 budgets x (tiny_base, tiny_smoothed, smaller_model) + early_stop's epochs.
grid=$(grep -c -E '^tiny_(base|smoothed),(epoch_count|recipe|smaller_model)' "$work/s/results.csv")
[ "$grid" -eq 9 ] || fail "expected 9 grid rows, got $grid"
early=$(grep -c ',early_stop,' "$work/s/results.csv")
[ "$early" -ge 3 ] || fail "expected early_stop rows, got $early"
grep -q '^tiny_smoothed,recipe,20 steps,0,[0-9a-f]\{16\},' "$work/s/results.csv" || fail "no row"
head -1 "$work/s/results.csv" | grep -q ',train_flops,parameters$' || fail "no FLOP columns"
# A trained run has its FLOP count and parameter count beside its time.
grep -q '^tiny_smoothed,recipe,20 steps,0,[0-9a-f]\{16\},.*,test,,[1-9][0-9]*,[1-9][0-9]*$' \
  "$work/s/results.csv" || fail "no FLOPs or parameters in a row"
# One seed gives no confidence interval: nothing is significant.
grep -q 'tiny_smoothed\*\*: not significant' "$work/s/report.md" || fail "no verdict line"
grep -q "FiveR's curve reading" "$work/s/report.md" || fail "no curve reading"
grep -q '"survey_definition_2_1"' "$work/s/speedups.json" || fail "no Definition 2.1 in speedups.json"
grep -q 'Pareto frontier' "$work/s/report.md" || fail "no frontier"
grep -q '"libtorch_version"' "$work/s/environment.json" || fail "no library versions"

"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out2" 2>&1 ||
  { cat "$work/out2"; fail "second study failed"; }
cat "$work/out2"
grep -q ' 0 to train' "$work/out2" || fail "the second invocation trained again"

# --from-results rewrites the report from results.csv alone.
cp "$work/s/results.csv" "$work/results.before"
rm "$work/s/report.md" "$work/s/speedups.json"
"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --from-results >"$work/out5" 2>&1 ||
  { cat "$work/out5"; fail "--from-results failed"; }
grep -q 'Re-analysed from the' "$work/s/report.md" || fail "the re-analysed report does not say so"
grep -q 'tiny_smoothed\*\*: ' "$work/s/report.md" || fail "no verdict after re-analysis"
[ -s "$work/s/speedups.json" ] || fail "no speedups.json after re-analysis"
cmp -s "$work/s/results.csv" "$work/results.before" || fail "--from-results rewrote results.csv"

# Another environment's folder is refused unless merging is asked for.
sed -i 's/"threads": 1/"threads": 99/' "$work/s/environment.json"
if "$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 >"$work/out3" 2>&1; then
  fail "merged another environment without --merge-environments"
fi
grep -q 'merge-environments' "$work/out3" || fail "no hint about --merge-environments"
"$bin/5rc" study "$src/tests/study/tiny_study.5r" --out "$work/s" --threads 1 \
  --merge-environments >"$work/out4" 2>&1 || { cat "$work/out4"; fail "merge failed"; }
echo "PASS: study e2e"
