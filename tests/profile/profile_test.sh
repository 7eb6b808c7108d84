#!/usr/bin/env bash
# `5rc profile` end to end on a recipe whose convolutions are frozen while it
# is profiled: the JSON has every phase, forward and backward time per op,
# the phase sum checked against an uninstrumented run (a finite, positive
# ratio; no timing thresholds), the per-op sums against the phases, and
# frozen ops without a backward; the text report says the same.
set -euo pipefail
bin="$1" src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" FIVER_STDLIB="$src/stdlib"
recipe="$src/tests/profile/recipes/tiny_freezing.5r"
"$bin/5rc" profile "$recipe" --steps 4 --threads 1 --format json >"$work/profile.json"
python3 - "$work/profile.json" <<'PY'
import json, math, sys
p = json.load(open(sys.argv[1]))
phases = p["phases"]
for name in ["data", "host_to_device", "forward", "loss", "backward", "optimizer", "method_hooks"]:
    assert name in phases and phases[name] >= 0, "phase " + name
assert p["steps"] == 4, p["steps"]
assert phases["forward"] > 0 and phases["backward"] > 0
assert phases["method_hooks"] > 0, "ema and layer_freezing run as method hooks"
check = p["phase_check"]
for key in ["phase_sum_seconds", "uninstrumented_step_seconds", "ratio", "median_ratio"]:
    assert math.isfinite(check[key]) and check[key] > 0, (key, check[key])
assert p["uninstrumented"]["steps"] == 4
assert len(p["each_step_seconds"]) == 4 and len(p["uninstrumented"]["each_step_seconds"]) == 4
for pass_ in ["forward", "backward"]:
    a = check[pass_]
    assert abs(a["phase_seconds"] - phases[pass_]) < 1e-12, pass_
    assert abs(a["phase_seconds"] - a["ops_seconds"] - a["unattributed_seconds"]) < 1e-12
ops = {op["name"]: op for op in p["ops"]}
convs = [op for op in p["ops"] if op["kind"] == "conv"]
assert convs and all(op["forward_seconds"] > 0 and op["forward_flops"] > 0 for op in convs)
for op in convs:  # frozen from step 0 to step 4 of 40, before the profiled steps
    assert op["frozen_steps"] == 4, op
    assert op["backward_seconds"] == 0 and op["backward_flops"] == 0, op
linear = [op for op in p["ops"] if op["kind"] == "linear"]
assert linear and all(op["frozen_steps"] == 0 and op["backward_seconds"] > 0 for op in linear)
assert all(op["backward_flops"] > 0 and op["backward_bytes_moved"] > 0 for op in linear)
assert p["bottleneck"]["name"] and p["bottleneck"]["reason"]
PY
"$bin/5rc" profile "$recipe" --steps 4 --threads 1 >"$work/profile.txt"
cat "$work/profile.txt"
grep -Eq "^phases sum [0-9.]+ ms vs uninstrumented step [0-9.]+ ms \(ratio [0-9.]+\)$" \
  "$work/profile.txt"
grep -Eq "^median step [0-9.]+ ms vs uninstrumented median step [0-9.]+ ms \(ratio [0-9.]+\)$" \
  "$work/profile.txt"
grep -Eq "^forward ops [0-9.]+ ms of the forward phase [0-9.]+ ms \(unattributed -?[0-9.]+ ms" \
  "$work/profile.txt"
grep -Eq "^backward ops [0-9.]+ ms of the backward phase" "$work/profile.txt"
grep -Eq "^host_to_device: " "$work/profile.txt"
grep -Eq "^conv[0-9]+ conv +[0-9.]+ +frozen " "$work/profile.txt"
grep -q "^bottleneck: " "$work/profile.txt"
echo PASS
