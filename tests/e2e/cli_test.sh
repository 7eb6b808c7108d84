#!/usr/bin/env bash
# End-to-end tests of the 5rc command line: `cli_test.sh BIN_DIR SOURCE_DIR CASE`.
set -uo pipefail
bin=$1 src=$2 case=$3
fivec="$bin/5rc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FIVER_STDLIB="$src/stdlib"
export XDG_CACHE_HOME="$work/cache" # compiled kernels: never the user's cache

fail() { echo "FAIL: $*" >&2; exit 1; }
# The folder of onnxruntime-node (tools/install_onnxruntime.sh); the test
# skips (77) without it or without node.
onnxruntime_or_skip() {
  local dir=${FIVER_ONNXRUNTIME_DIR:-$(ls -d "$HOME"/.cache/fiver/onnxruntime-node-*/ 2>/dev/null | tail -1)}
  command -v node >/dev/null || { echo "SKIP: node is not installed" >&2; exit 77; }
  [ -n "$dir" ] && [ -d "$dir/node_modules/onnxruntime-node" ] || {
    echo "SKIP: onnxruntime-node is not installed (tools/install_onnxruntime.sh)" >&2; exit 77; }
  echo "$dir"
}

# A shipped recipe on a model exported into the build folder by
# tools/onnx/export_reference_models.py, checked and trained a few steps
# beside its file (skips when the file was not exported).
# train_imported RECIPE MODEL_FILE BATCH
train_imported() {
  local models="${FIVER_ONNX_MODELS_DIR:-$bin/../onnx-models}"
  [ -s "$models/$2" ] || { echo "skipped: $models/$2 was not exported"; exit 0; }
  mkdir -p "$work/recipe"
  cp "$src/$1" "$work/recipe/"
  ln -s "$models/$2" "$work/recipe/$2"
  recipe="$work/recipe/$(basename "$1")"
  "$fivec" check "$recipe" 2>"$work/err" || { cat "$work/err"; fail "check failed"; }
  "$fivec" run "$recipe" --out "$work/run" --threads 2 --set 'train_subset 256' \
    --set "batch_size $3" --set 'budget 8 steps' >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  grep -q "test accuracy" "$work/out" || fail "no accuracy line"
}

# The run exported (with EXPORT_ARGS) computes in Microsoft's ONNX runtime
# what FiveR evaluated, on the whole test split, and the accuracy the run
# reported. expect_onnxruntime_agrees LABEL [EXPORT_ARGS...]
expect_onnxruntime_agrees() {
  local label=$1 ort_dir
  shift
  ort_dir=$(onnxruntime_or_skip) || exit $?
  "$fivec" export "$work/run" -o "$work/model.onnx" "$@" --reference all >"$work/export.out" 2>&1 \
    || { cat "$work/export.out"; fail "export failed"; }
  cat "$work/export.out"
  node "$src/tools/onnx/run_onnxruntime.mjs" "$work/model.onnx" --reference "$work/model.reference" \
    --runtime "$ort_dir" >"$work/ort.json" || fail "onnxruntime failed"
  cat "$work/ort.json"
  python3 - "$work/ort.json" "$work/run/summary.json" "$label" <<'PY' || fail "onnxruntime disagrees with FiveR"
import json, sys
ort, summary = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
correct = lambda a: round(a * ort["examples"])
print(f"{sys.argv[3]}: max abs diff {ort['max_abs_diff']:.3g}; onnxruntime accuracy "
      f"{ort['accuracy']:.4f}, run reported {summary['test_accuracy']:.4f}")
assert ort["examples"] == 10000, "not the whole test split"
# 1e-4, or 1e-5 of the logits' scale: a random imported ResNet's logits in
# evaluation reach 1e4, where fp32's own rounding is about 1e-3.
assert ort["max_abs_diff"] <= max(1e-4, 1e-5 * ort["max_abs_logit"]), "logits differ"
assert correct(ort["accuracy"]) == correct(summary["test_accuracy"]), "accuracy differs from the run's"
PY
}

case "$case" in
wrong_triple)
  # A wrong triple is reported at its line and column, and check exits 1.
  "$fivec" check "$src/tests/e2e/recipes/wrong_triple.5r" 2>"$work/err"
  rc=$?
  cat "$work/err"
  [ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
  grep -q "wrong_triple.5r:6:3: error\[E0200\]" "$work/err" || fail "no E0200 at 6:3"
  grep -q "reorder training_data dynamic domain" "$work/err" || fail "declared triple not shown"
  # The same diagnostic as JSON, for tools.
  "$fivec" check --format json "$src/tests/e2e/recipes/wrong_triple.5r" >"$work/json" && fail "json: exit 0"
  grep -q '"code":"E0200"' "$work/json" || fail "json: no E0200"
  grep -q '"length":35,"line":6' "$work/json" || { cat "$work/json"; fail "json: range"; }
  ;;
check_clean)
  # The shipped recipes and the standard library check without diagnostics.
  "$fivec" check "$src"/recipes/*/*.5r "$src"/stdlib/*.5r 2>"$work/err" || {
    cat "$work/err"; fail "check failed"; }
  [ ! -s "$work/err" ] || { cat "$work/err"; fail "unexpected diagnostics"; }
  ;;
import_composer)
  # A Composer recipe imports to a .5r file that checks and compiles on its
  # own; what cannot be mapped is a warning at its YAML line and column.
  golden="$src/tests/golden/composer"
  "$fivec" import composer "$golden/resnet50_mild.yaml" -o "$work/mild.5r" 2>"$work/err" || {
    cat "$work/err"; fail "import"; }
  grep -q "resnet50_mild.yaml:43:23: warning\[W0801\]" "$work/err" || { cat "$work/err"; fail "no W0801 at 43:23"; }
  grep -q "progressive_resize(from: 0.5, until: 80%" "$work/mild.5r" || fail "progressive_resize not mapped"
  "$fivec" check "$work/mild.5r" 2>"$work/err" || { cat "$work/err"; fail "check of the import"; }
  "$fivec" compile "$work/mild.5r" -o "$work/plan.yaml" || fail "compile of the import"
  "$fivec" fmt --check "$work/mild.5r" || fail "import not in canonical layout"
  "$fivec" import composer "$golden/gpt2_125m.yaml" --extends "$src/recipes/text/baseline.5r" \
    -o "$work/gpt.5r" 2>/dev/null && "$fivec" check "$work/gpt.5r" || fail "gpt import"
  # Malformed YAML: an error at its mark, exit 1, nothing written.
  "$fivec" import composer "$golden/malformed_yaml.yaml" -o "$work/bad.5r" 2>"$work/err" && fail "exit 0"
  grep -q "malformed_yaml.yaml:3:8: error\[E0800\]" "$work/err" || { cat "$work/err"; fail "no E0800"; }
  [ ! -e "$work/bad.5r" ] || fail "a recipe was written"
  ;;
plan_determinism)
  # Compiling twice gives byte-identical plans.
  "$fivec" compile "$src/recipes/fmnist/fast.5r" -o "$work/a.yaml" || fail "compile 1"
  "$fivec" compile "$src/recipes/fmnist/fast.5r" -o "$work/b.yaml" || fail "compile 2"
  cmp "$work/a.yaml" "$work/b.yaml" || fail "plans differ"
  grep -q "progressive_resize" "$work/a.yaml" || fail "method missing from plan"
  ;;
print_pipeline)
  "$fivec" compile "$src/recipes/fmnist/fast.5r" --print-pipeline >"$work/out" || fail "compile"
  cat "$work/out"
  grep -q "progressive_resolution" "$work/out" || fail "pass not in pipeline"
  ;;
fmt_check)
  # Every shipped .5r file is in canonical layout; fmt is idempotent.
  "$fivec" fmt --check "$src"/recipes/*/*.5r "$src"/stdlib/*.5r "$src"/tests/e2e/recipes/*.5r \
    || fail "files not formatted"
  cp "$src/stdlib/models.5r" "$work/m.5r"
  "$fivec" fmt "$work/m.5r" && cmp "$work/m.5r" "$src/stdlib/models.5r" || fail "fmt changed a formatted file"
  ;;
option_order)
  # Options and the recipe file come in any order: a repeatable option such as
  # --dump-after or --set takes one value per use, never the file after it.
  hot="$src/recipes/fmnist/hot.5r"
  "$fivec" compile "$hot" --fuse --dump-after=all -o "$work/a.yaml" >/dev/null || fail "file first"
  "$fivec" compile --fuse --dump-after=all "$hot" -o "$work/b.yaml" >/dev/null || fail "options first"
  "$fivec" compile --dump-after all --fuse -o "$work/c.yaml" "$hot" >/dev/null || fail "file last"
  cmp "$work/a.yaml" "$work/b.yaml" && cmp "$work/a.yaml" "$work/c.yaml" || fail "plans differ"
  "$fivec" compile --set 'budget 2 epochs' "$hot" --set seed=3 -o "$work/d.yaml" || fail "--set"
  grep -q "budget 2 epochs" "$work/d.yaml" && grep -q "seed=3\|seed 3" "$work/d.yaml" \
    || fail "overrides around the file were not both applied"
  "$fivec" check --format json "$hot" >/dev/null && "$fivec" check "$hot" --format json >/dev/null \
    || fail "check with --format before or after the file"
  "$fivec" fmt --check "$hot" && "$fivec" fmt "$hot" --check || fail "fmt --check in either place"
  # run and profile parse the same way: a missing recipe is the complaint,
  # not a missing argument.
  for cmd in run profile; do
    "$fivec" $cmd --drop ema --set seed=1 "$work/none.5r" 2>"$work/err" && fail "$cmd: exit 0"
    grep -q "is required" "$work/err" && { cat "$work/err"; fail "$cmd swallowed the file"; }
    grep -q "none.5r" "$work/err" || { cat "$work/err"; fail "$cmd: file not read"; }
  done
  true
  ;;
exec_edited_plan)
  # 5rc-exec verifies a plan before running it: a conv whose `out` was edited
  # from 16 to 17 is named with the field, not left to fail in LibTorch.
  "$fivec" compile "$src/tests/e2e/recipes/tiny.5r" -o "$work/plan.yaml" || fail "compile"
  sed -E '0,/kind: "conv".*out: 16,/s/(kind: "conv".*out: )16,/\117,/' "$work/plan.yaml" >"$work/bad.yaml"
  cmp -s "$work/plan.yaml" "$work/bad.yaml" && fail "sed changed nothing"
  "$bin/5rc-exec" "$work/bad.yaml" --out "$work/run" --max-steps 1 --threads 1 >"$work/out" 2>&1
  rc=$?
  cat "$work/out"
  [ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
  grep -q "bad.yaml: the plan is inconsistent" "$work/out" || fail "no plan error"
  grep -Eq "op [0-9]+ 'conv[0-9]*' \(conv\): 'out' is 17, but its output shape has 16 channels" \
    "$work/out" || fail "op and field not named"
  grep -Eq "running_mean|Exception raised|frame #" "$work/out" && fail "LibTorch error or stack trace"
  true
  ;;
check_compile_diagnostics)
  # `5rc check` reports what `compile` would: shapes, pass preconditions.
  for name in check_conv_after_flatten check_attention_heads check_freezing_backwards; do
    (cd "$src" && "$fivec" check "tests/golden/diagnostics/$name.5r") 2>"$work/err" \
      && fail "$name: exit 0"
    diff "$src/tests/golden/diagnostics/$name.expected" "$work/err" || fail "$name: diagnostics"
  done
  ;;
explain)
  "$fivec" explain E0200 >"$work/out" || fail "explain failed"
  grep -q "E0200" "$work/out" || fail "code not shown"
  "$fivec" explain E9999 2>/dev/null && fail "unknown code accepted"
  # The taxonomy table puts each stdlib method in its cell; a method's card.
  "$fivec" explain >"$work/table" || fail "explain table"
  grep -q "^| reorder | layer_freezing | progressive_growing | [a-z_, ]*progressive_resize[a-z_, ]* | channels_last |" "$work/table" \
    || { cat "$work/table"; fail "taxonomy cell"; }
  "$fivec" explain ema >"$work/card" || fail "explain ema"
  grep -q "half_life: duration = 100 steps" "$work/card" || fail "card parameters"
  grep -q "^survey: §4.1.1 retrofit → model parameters" "$work/card" || fail "card survey placement"
  # A method in several survey cells lists each, and sits in each cell of the table.
  "$fivec" explain sam >"$work/sam" || fail "explain sam"
  grep -q "^sam : retrofit training_objective static domain (the cell's default) | retrofit training_algorithm" "$work/sam" \
    || { cat "$work/sam"; fail "several triples"; }
  true
  ;;
run_tiny)
  # A 20-step training run end to end: plan written, metrics logged, summary.
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/run" --threads 2 \
    >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  [ -s "$work/run/plan.yaml" ] || fail "no plan.yaml"
  [ -s "$work/run/metrics.jsonl" ] || fail "no metrics.jsonl"
  [ -s "$work/run/summary.json" ] || fail "no summary.json"
  grep -q "test accuracy" "$work/out" || fail "no accuracy line"
  # Where the first seconds went: the startup line, record and summary field.
  grep -q "^startup: plan_read .* first step [0-9.]* s" "$work/out" || fail "no startup line"
  grep -q '"event":"startup"' "$work/run/metrics.jsonl" || fail "no startup record"
  grep -q '"first_epoch_trained"' "$work/run/summary.json" || fail "no startup in the summary"
  ;;
run_onnx_finetune)
  # The shipped fine-tuning recipe on an imported ResNet-18 for a few steps,
  # with layer_freezing (its norms folded), channels_last and ema.
  train_imported recipes/fmnist/onnx/finetune_resnet18.5r resnet18.onnx 32
  grep -q 'model_source: {format: "onnx"' "$work/run/plan.yaml" || fail "plan has no model source"
  grep -q 'fold_bn' "$work/run/plan.yaml" || fail "no frozen conv+bn folding in the plan"
  grep -q 'channels_last' "$work/run/plan.yaml" || fail "not channels-last"
  grep -q 'init_weight: "conv1.weight"' "$work/run/plan.yaml" || fail "stem does not start from the file"
  # A changed file is refused at run time: the plan's hash covers the weights.
  models="${FIVER_ONNX_MODELS_DIR:-$bin/../onnx-models}"
  cp "$models/resnet18.onnx" "$work/changed.onnx" && printf 'x' >>"$work/changed.onnx"
  sed "s|$work/recipe/resnet18.onnx|$work/changed.onnx|" "$work/run/plan.yaml" >"$work/changed.yaml"
  "$bin/5rc-exec" "$work/changed.yaml" --out "$work/changed" --max-steps 1 --threads 1 >"$work/changed.out" 2>&1 \
    && fail "a changed model file was accepted"
  grep -q "changed since the plan was compiled" "$work/changed.out" || { cat "$work/changed.out"; fail "no hash error"; }
  # Exported back out (ema's weights, frozen norms folded).
  expect_onnxruntime_agrees "imported resnet18" --fold-bn
  grep -q "weights: as evaluated, swapped in by ema" "$work/export.out" || fail "ema weights not exported"
  ;;
run_onnx_vit)
  # The shipped ViT recipe (torchvision's VisionTransformer imported from
  # ONNX) trains a few steps, exports, and Microsoft's ONNX runtime computes
  # what FiveR evaluated.
  train_imported recipes/fmnist/onnx/finetune_vit.5r vit_fmnist.onnx 32
  grep -q 'init_weight: "encoder.pos_embedding"' "$work/run/plan.yaml" || fail "no position table from the file"
  grep -q 'kind: "softmax"' "$work/run/plan.yaml" || fail "no attention in the plan"
  expect_onnxruntime_agrees "imported vit"
  ;;
run_onnx_gpt)
  # The shipped text recipe on a hand-written GPT imported from ONNX trains a
  # few steps from the file's weights.
  train_imported recipes/text/onnx/finetune_gpt.5r gpt_fortunes.onnx 16
  grep -q 'init_weight: "wte.weight"' "$work/run/plan.yaml" || fail "no token table from the file"
  grep -q 'kind: "causal_mask"' "$work/run/plan.yaml" || fail "no causal mask in the plan"
  ;;
run_onnx_lora)
  # The shipped LoRA recipe on an imported ResNet-18: every convolution but
  # the stem (it reads the one gray channel: narrower than min_features) gets
  # an adapter and stays frozen; export folds the adapters into the
  # convolutions (no adapter op in the file), and Microsoft's ONNX runtime
  # computes what FiveR evaluated with the adapters beside the layers.
  train_imported recipes/fmnist/onnx/lora_resnet18.5r resnet18.onnx 32
  grep -q 'adapter_part: "down"' "$work/run/plan.yaml" || fail "no adapter in the plan"
  grep -q '"lora.adapted_layers": 19' "$work/run/summary.json" || fail "not every convolution adapted"
  expect_onnxruntime_agrees "lora resnet18"
  grep -a -q "_lora_down\|_lora_up\|_lora_join" "$work/model.onnx" && fail "the exported model still holds adapter ops"
  grep -q "low-rank adapters folded into 19 layer(s)" "$work/export.out" || fail "no folding reported"
  ;;
run_two_ranks)
  # `--nproc 2`: two local ranks over Gloo, one writer, the world size recorded,
  # and PowerSGD compressing what they exchange.
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/run" --nproc 2 --timeout 30 \
    --add 'restrict derived_data static domain powersgd(rank: 1)' \
    >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  [ "$(grep -c 'test accuracy' "$work/out")" = 1 ] || fail "expected one summary line (rank 0)"
  grep -q '"world_size": 2' "$work/run/summary.json" || fail "world size not recorded"
  grep -q 'bytes_all_reduced_per_step' "$work/run/metrics.jsonl" || fail "no communication metrics"
  # Rank 0's checkpoint resumes in any world size: stop two ranks at step 8,
  # finish in one process.
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/ranks" --nproc 2 --max-steps 8 \
    >"$work/ranks.out" 2>&1 || { cat "$work/ranks.out"; fail "two-rank run failed"; }
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/ranks" --resume --threads 1 \
    >"$work/single.out" 2>&1 || { cat "$work/single.out"; fail "single-process resume failed"; }
  grep -q "resumed from .* at step 8" "$work/single.out" || { cat "$work/single.out"; fail "not resumed at step 8"; }
  grep -q '"steps": 20' "$work/ranks/summary.json" || fail "resumed run did not finish"
  ;;
run_data_methods)
  # The data-side methods together for 12 steps: all of them reach the plan,
  # the run completes, and echoing halves the batches loaded (6 for 12 steps).
  "$fivec" check "$src/tests/e2e/recipes/data_methods.5r" 2>"$work/err" || {
    cat "$work/err"; fail "check failed"; }
  [ ! -s "$work/err" ] || { cat "$work/err"; fail "unexpected diagnostics (W0002?)"; }
  "$fivec" run "$src/tests/e2e/recipes/data_methods.5r" --out "$work/run" --threads 1 \
    --max-steps 12 >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  for hook in data_pruning curriculum colout cutout bce_for_mixup augmentation_multiplicity \
    data_echoing selective_backprop batch_size_warmup; do
    grep -q "hooks: \[\"$hook\"\]" "$work/run/plan.yaml" || fail "$hook missing from the plan"
  done
  grep -q '"batches_loaded":6,.*"step":12' "$work/run/metrics.jsonl" || {
    cat "$work/run/metrics.jsonl"; fail "expected 6 loads in 12 steps"; }
  grep -q "(12 steps)" "$work/out" || fail "did not run 12 steps"
  ;;
run_optimizer_methods)
  # lamb and lr_range_test check clean, run, and the chosen rate reaches the
  # output, metrics.jsonl and summary.json.
  "$fivec" check "$src/tests/e2e/recipes/optimizer_methods.5r" 2>"$work/err" || {
    cat "$work/err"; fail "check failed"; }
  [ ! -s "$work/err" ] || { cat "$work/err"; fail "unexpected diagnostics (W0002?)"; }
  "$fivec" run "$src/tests/e2e/recipes/optimizer_methods.5r" --out "$work/run" --threads 1 \
    >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  grep -q "lr_range_test.lr = " "$work/out" || fail "chosen rate not printed"
  grep -q '"name":"lr_range_test.lr"' "$work/run/metrics.jsonl" || fail "no finding in metrics"
  grep -q '"lr_range_test.lr"' "$work/run/summary.json" || fail "no finding in the summary"
  grep -q "(20 steps)" "$work/out" || fail "did not run 20 steps"
  ;;
run_text_methods)
  # A text task with seq_length_warmup and weight_tying: both check clean (no
  # W0002), reach the plan (a hook, a tied output layer), and a 3-epoch run
  # learns the synthetic chain's next tokens far above chance (1/32).
  "$fivec" check "$src/tests/e2e/recipes/text_methods.5r" 2>"$work/err" || {
    cat "$work/err"; fail "check failed"; }
  [ ! -s "$work/err" ] || { cat "$work/err"; fail "unexpected diagnostics (W0002?)"; }
  "$fivec" run "$src/tests/e2e/recipes/text_methods.5r" --out "$work/run" --threads 1 \
    >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  grep -q 'hooks: \["seq_length_warmup"\]' "$work/run/plan.yaml" || fail "no seq_length_warmup hook"
  grep -q 'tied_to: "embedding1"' "$work/run/plan.yaml" || fail "output layer not tied"
  python3 - "$work/run/summary.json" <<'PY' || fail "did not learn"
import json, sys
s = json.load(open(sys.argv[1]))
acc = s["test_accuracy"]
print("token accuracy", acc)
sys.exit(0 if acc > 0.2 else 1)
PY
  ;;
run_holdout)
  # `--set holdout=5000`: 5000 training examples evaluated during the run, the
  # test split once at the end, both in the summary; a holdout as large as the
  # training split is E0209 at the value.
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --set holdout=5000 --out "$work/run" --threads 1 \
    >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  grep -q "holdout: 5000" "$work/run/plan.yaml" || fail "holdout missing from the plan"
  grep -q '"eval_split": "holdout"' "$work/run/summary.json" || fail "eval split not recorded"
  grep -q '"holdout_accuracy"' "$work/run/summary.json" || fail "no holdout accuracy"
  grep -q '"test_accuracy"' "$work/run/summary.json" || fail "no test accuracy"
  grep -q "test accuracy [0-9.]*% (once, at the end), holdout accuracy" "$work/out" \
    || fail "summary line does not label the two accuracies"
  grep -q '"event":"final_test"' "$work/run/metrics.jsonl" || fail "no final test record"
  "$fivec" compile "$src/tests/e2e/recipes/tiny.5r" --set holdout=60000 -o "$work/big.yaml" 2>"$work/err" \
    && fail "a holdout of the whole split was accepted"
  grep -q "error\[E0209\]" "$work/err" || { cat "$work/err"; fail "no E0209"; }
  ;;
run_metrics)
  # The recipe's `target accuracy`, `--tta flip` and the measured peak (cached
  # in the test's folder): FLOPs, achieved FLOP/s, MFU, total time and the time
  # to the target in summary.json and the final line; `--target` overrides it.
  cp "$src/tests/e2e/recipes/tiny.5r" "$work/tiny.5r"
  printf 'import "tiny.5r"\nrecipe tiny_target extends tiny {\n  target accuracy >= 1%%\n}\n' \
    >"$work/target.5r"
  XDG_CACHE_HOME="$work/cache" "$fivec" run "$work/target.5r" --out "$work/run" --threads 1 \
    --tta flip >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  cat "$work/out"
  s="$work/run/summary.json"
  for key in flops achieved_flops_per_second mfu peak_flops_per_second total_seconds \
    train_seconds time_to_target; do
    grep -q "\"$key\"" "$s" || { cat "$s"; fail "no $key in summary.json"; }
  done
  grep -q '"target_accuracy": 0.01' "$s" || { cat "$s"; fail "recipe target not passed on"; }
  grep -q '"tta": "flip"' "$s" || fail "tta not recorded"
  grep -q "MFU [0-9.]*%" "$work/out" || fail "no MFU in the final line"
  grep -q "target 1.00% reached at train [0-9.]* s (total [0-9.]* s)" "$work/out" \
    || fail "time to target not in the final line"
  XDG_CACHE_HOME="$work/cache" "$fivec" run "$work/target.5r" --out "$work/never" --threads 1 \
    --max-steps 4 --target 1 >"$work/out2" 2>&1 || { cat "$work/out2"; fail "second run failed"; }
  grep -q '"time_to_target": null' "$work/never/summary.json" || {
    cat "$work/never/summary.json"; fail "an unreached target is not null"; }
  ;;
run_eval_log)
  # eval.jsonl (docs/eval-log.md): one line per evaluation. 8 steps an epoch:
  # --eval-every 4 evaluates at 4, at 8 (the epoch's end too: one line) and
  # at the end; a holdout run logs the holdout.
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/run" --threads 1 --max-steps 12 \
    --eval-every 4 --quiet >"$work/out" 2>&1 || { cat "$work/out"; fail "run failed"; }
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" --out "$work/held" --threads 1 --max-steps 4 \
    --eval-every 2 --set holdout=2000 --quiet >"$work/out" 2>&1 || { cat "$work/out"; fail "holdout run failed"; }
  check_log() {
    python3 - "$@" <<'PY'
import json, os, sys
folder, split, steps = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3].split(",")]
text = open(os.path.join(folder, "eval.jsonl")).read()
print(text, end="")
lines = [json.loads(l) for l in text.splitlines()]
summary = json.load(open(os.path.join(folder, "summary.json")))
assert [l["step"] for l in lines] == steps, "steps"
for l in lines:
    assert list(l)[:5] == ["step", "epoch", "train_seconds", "split", "accuracy"], l
    assert l["split"] == split and 0 <= l["accuracy"] <= 1, l
assert all(a["train_seconds"] <= b["train_seconds"] for a, b in zip(lines, lines[1:])), "time"
assert [bool(l.get("final")) for l in lines] == [False] * (len(lines) - 1) + [True], "final"
assert lines[-1]["accuracy"] == summary[split + "_accuracy"], "last line vs summary.json"
assert lines[-1]["accuracy"] == summary["epoch_curve"][-1][split + "_accuracy"], "epoch curve"
assert lines[-1]["train_seconds"] == summary["train_seconds"], "train time"
PY
  }
  check_log "$work/run" test 4,8,12 || fail "eval.jsonl of the test split"
  check_log "$work/held" holdout 2,4 || fail "eval.jsonl of the holdout"
  # bench/time_to_accuracy.py reads it: a recipe and a named side, seed set
  # with --set, extra arguments after --.
  python3 "$src/bench/time_to_accuracy.py" "$src/tests/e2e/recipes/tiny.5r" \
    --side "again=$src/tests/e2e/recipes/tiny.5r --set 'budget 4 steps'" --seeds 3 --eval-every 4 \
    --threads 1 --targets 0.05 --fivec "$fivec" --keep "$work/tta" -- --max-steps 8 \
    >"$work/tta.out" 2>&1 || { cat "$work/tta.out"; fail "time_to_accuracy.py failed"; }
  cat "$work/tta.out"
  grep -q "seed: 3" "$work/tta/again/seed3/plan.yaml" || fail "seed not set"
  grep -q '"steps": 4' "$work/tta/again/seed3/summary.json" || fail "side arguments not passed"
  grep -q '"steps": 8' "$work/tta/tiny/seed3/summary.json" || fail "arguments after -- not passed"
  grep -q "^tiny/again " "$work/tta.out" || fail "no ratio row"
  ;;
kill_and_resume)
  # A run killed with SIGKILL resumes from its last checkpoint and ends where
  # an uninterrupted run ends: the same steps, the same test accuracy, the
  # same evaluations in eval.jsonl, none twice (--eval-every 8 falls on the
  # epoch ends, some of them checkpoints too).
  args=(--set 'budget 120 steps' --threads 1 --checkpoint-every 10 --eval-every 8 --quiet)
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" "${args[@]}" --out "$work/whole" >"$work/whole.out" 2>&1 \
    || { cat "$work/whole.out"; fail "uninterrupted run failed"; }
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" "${args[@]}" --out "$work/run" >"$work/first.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/run/checkpoint.pt" ] && break; sleep 0.05; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ -s "$work/run/checkpoint.pt" ] || fail "no checkpoint before the kill"
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" "${args[@]}" --out "$work/run" --resume >"$work/resumed.out" 2>&1 \
    || { cat "$work/resumed.out"; fail "resumed run failed"; }
  cat "$work/resumed.out"
  grep -q "resumed from" "$work/resumed.out" || fail "the run was not resumed"
  grep -q '"steps": 120' "$work/run/summary.json" || fail "resumed run did not finish the budget"
  a=$(grep test_accuracy "$work/whole/summary.json" | tail -1)
  b=$(grep test_accuracy "$work/run/summary.json" | tail -1)
  [ "$a" = "$b" ] || fail "accuracy differs after resume: $a vs $b"
  python3 - "$work/whole/eval.jsonl" "$work/run/eval.jsonl" <<'PY' || fail "eval.jsonl differs after resume"
import json, sys
whole, resumed = ([json.loads(l) for l in open(p)] for p in sys.argv[1:])
steps = [l["step"] for l in resumed]
print("evaluated at", steps)
assert steps == list(range(8, 121, 8)), "steps"
assert [l["accuracy"] for l in resumed] == [l["accuracy"] for l in whole], "accuracies"
PY
  ;;
profile_tiny)
  # `5rc profile`: phases checked against an uninstrumented run of the same
  # steps (a finite, positive ratio: no timing threshold), forward and
  # backward time per op against the roofline, a named bottleneck and the
  # methods for it.
  XDG_CACHE_HOME="$work/cache" "$fivec" profile "$src/tests/e2e/recipes/tiny.5r" --steps 8 \
    --threads 1 >"$work/out" 2>&1 || { cat "$work/out"; fail "profile failed"; }
  cat "$work/out"
  grep -q "^bottleneck: " "$work/out" || fail "no bottleneck named"
  grep -q "^methods that address it: [a-z]" "$work/out" || fail "no methods offered"
  grep -Eq "^conv[0-9]* conv +[0-9.]+ +[0-9.]+ " "$work/out" || fail "no conv with forward and backward"
  ratio=$(sed -n 's/^phases sum .* ms vs uninstrumented step .* ms (ratio \([0-9.]*\))$/\1/p' "$work/out")
  [ -n "$ratio" ] || fail "no check of the phase sum"
  awk "BEGIN{exit !($ratio > 0)}" || fail "ratio $ratio"
  grep -q "^backward ops .* (unattributed " "$work/out" || fail "no backward attribution"
  # The peak is cached only when measured on an idle machine; otherwise the
  # report says so.
  [ -s "$work/cache/fiver/roofline-1-threads.json" ] || grep -q "^roofline NOT cached, measured under load: " "$work/out" \
    || fail "roofline neither cached nor said to be untrusted"
  ;;
roofline_provenance)
  # `5rc profile --roofline`: the peaks per dtype, the kernels that set them
  # and where they come from; no recipe needed, and none given is an error
  # without it.
  XDG_CACHE_HOME="$work/cache" "$fivec" profile --roofline --threads 1 >"$work/out" 2>&1 \
    || { cat "$work/out"; fail "profile --roofline failed"; }
  cat "$work/out"
  for part in "^peak fp32 [0-9.]* GFLOP/s (" "^peak bf16 " "^bandwidth " "^measured 20.* with 1 threads on [0-9]* cores, load average " \
    "^cpu: " "^torch [0-9.]*, "; do
    grep -q "$part" "$work/out" || fail "no '$part' in the roofline report"
  done
  grep -Eq "^(cached: measured on an idle machine|measured on an idle machine; cached|NOT cached, MFU against it may read high: .+)$" "$work/out" \
    || fail "the report does not say whether the peak is cached"
  XDG_CACHE_HOME="$work/cache" "$fivec" profile --roofline --threads 1 --format json >"$work/json" 2>&1 \
    || fail "profile --roofline --format json failed"
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['peak_flops'] > 0 and j['kernels'] and 'trusted' in j" "$work/json" \
    || { cat "$work/json"; fail "roofline JSON"; }
  "$fivec" profile >"$work/none" 2>&1 && fail "profile without a recipe succeeded"
  grep -q "a recipe file is required" "$work/none" || { cat "$work/none"; fail "no reason given"; }
  ;;
run_kernel_cache)
  # Fused CPU kernels are compiled by the first run and loaded from the disk
  # cache by the second; a corrupted entry is rebuilt and the run succeeds.
  args=(run "$src/tests/e2e/recipes/tiny.5r" --fuse --threads 1 --max-steps 3 --quiet)
  field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['kernels']['cpu'][sys.argv[2]])" "$@"; }
  "$fivec" "${args[@]}" --out "$work/first" >"$work/first.out" 2>&1 || { cat "$work/first.out"; fail "first run"; }
  cat "$work/first.out"
  grep -q "^kernels: cpu [1-9][0-9]* compiled in" "$work/first.out" || fail "no kernel line"
  [ "$(field "$work/first/summary.json" compiled)" -gt 0 ] || fail "first run compiled nothing"
  [ "$(field "$work/first/summary.json" cache_hits)" = 0 ] || fail "first run hit an empty cache"
  compiled=$(field "$work/first/summary.json" compiled)
  "$fivec" "${args[@]}" --out "$work/second" >"$work/second.out" 2>&1 || { cat "$work/second.out"; fail "second run"; }
  cat "$work/second.out"
  [ "$(field "$work/second/summary.json" compiled)" = 0 ] || fail "second run compiled"
  [ "$(field "$work/second/summary.json" compile_seconds)" = 0.0 ] || fail "second run spent compile time"
  [ "$(field "$work/second/summary.json" cache_hits)" = "$compiled" ] || fail "second run missed the cache"
  entries=("$work"/cache/fiver/kernels/cpu-*.bin)
  [ "${#entries[@]}" = "$compiled" ] || fail "expected $compiled cache entries, found ${#entries[@]}"
  printf 'FIVERKERNEL1\ngarbage' >"${entries[0]}"
  "$fivec" "${args[@]}" --out "$work/third" >"$work/third.out" 2>&1 || { cat "$work/third.out"; fail "run after corruption"; }
  grep -q "ignored cache entry" "$work/third.out" || fail "corruption not reported"
  [ "$(field "$work/third/summary.json" compiled)" = 1 ] || fail "corrupted entry not rebuilt"
  ;;
export_models)
  # Each native model (resnet_tiny with blurpool, squeeze_excite, op_fusion
  # and swa; fmnist_cnn; tiny_gpt with weight_tying; a model of the op kinds
  # left, and its plan edited to a fused op with per-channel parameters and
  # every kind of operation) trained a few steps, exported, and run in
  # onnxruntime-node on 256 test examples: logits within 1e-4 of FiveR's
  # evaluation, the same accuracy.
  ort_dir=$(onnxruntime_or_skip) || exit $?
  for recipe in export_resnet export_fmnist_cnn export_tiny_gpt export_every_op export_edited; do
    if [ "$recipe" = export_edited ]; then
      mkdir -p "$work/$recipe"
      python3 - "$work/export_every_op/plan.yaml" "$work/$recipe/plan.yaml" <<'PY' || fail "plan edit"
import re, sys
text = open(sys.argv[1]).read()
expr = ("where(%1,add(mul(relu(%0),@0),rsqrt(add(mul(%1,%1),1))),"
        "max(sigmoid(%0),tanh(div(%1,sub(2,neg(exp(neg(add(mul(%1,%1),@1)))))))))")
line = next(l for l in text.splitlines() if 'kind: "fused"' in l)
edited = re.sub(r'attrs: \{[^}]*\}', 'attrs: {params: "g.weight,g.bias"}', line)
edited = re.sub(r'expr: "[^"]*"', f'expr: "{expr}"', edited)
open(sys.argv[2], "w").write(text.replace(line, edited))
PY
      "$bin/5rc-exec" "$work/$recipe/plan.yaml" --out "$work/$recipe" --threads 2 --quiet \
        >"$work/$recipe.out" 2>&1 || { cat "$work/$recipe.out"; fail "$recipe: run"; }
    else
      "$fivec" run "$src/tests/e2e/recipes/export_models.5r" --recipe "$recipe" --fuse --threads 2 \
        --quiet --out "$work/$recipe" >"$work/$recipe.out" 2>&1 || { cat "$work/$recipe.out"; fail "$recipe: run"; }
    fi
    "$fivec" export "$work/$recipe" -o "$work/$recipe.onnx" --reference 256 >"$work/$recipe.export" 2>&1 \
      || { cat "$work/$recipe.export"; fail "$recipe: export"; }
    cat "$work/$recipe.export"
    node "$src/tools/onnx/run_onnxruntime.mjs" "$work/$recipe.onnx" --reference "$work/$recipe.reference" \
      --runtime "$ort_dir" >"$work/$recipe.json" || fail "$recipe: onnxruntime failed"
    cat "$work/$recipe.json"
    python3 - "$work/$recipe.json" <<'PY' || fail "$recipe: onnxruntime disagrees with FiveR"
import json, sys
ort = json.load(open(sys.argv[1]))
assert ort["examples"] == 256
# 1e-4, or 1e-5 of the logits' scale: a random imported ResNet's logits in
# evaluation reach 1e4, where fp32's own rounding is about 1e-3.
assert ort["max_abs_diff"] <= max(1e-4, 1e-5 * ort["max_abs_logit"]), "logits differ"
assert ort["accuracy"] == ort["fiver_run_accuracy"], "accuracy differs"
PY
  done
  grep -q "swapped in by swa" "$work/export_resnet.export" || fail "swa's average not exported"
  # A folder that is not a finished run is an error, and nothing is written.
  mkdir "$work/empty"
  "$fivec" export "$work/empty" -o "$work/empty.onnx" 2>"$work/empty.err" && fail "exported an empty folder"
  grep -q "5rc export: error: .*needs plan.yaml and checkpoint.pt" "$work/empty.err" \
    || { cat "$work/empty.err"; fail "no error for a folder without a run"; }
  [ ! -e "$work/empty.onnx" ] || fail "a model was written for an empty folder"
  for kind in blur squeeze_excite fused; do
    grep -q "kind: \"$kind\"" "$work/export_resnet/plan.yaml" || fail "the resnet plan has no $kind op"
  done
  ;;
export_onnxruntime | export_onnxruntime_methods)
  # A trained run exported to ONNX and run in Microsoft's ONNX runtime
  # (onnxruntime-node, tools/install_onnxruntime.sh): its logits on the whole
  # test split equal FiveR's evaluation logits (max abs diff <= 1e-4), and the
  # accuracy it computes is the one the run reported. tiny.5r trains with
  # ema and channels_last; the _methods variant adds layer_freezing (its
  # frozen convs exported with their batch norm folded in) and
  # mixed_precision, whose bf16 run is matched by FiveR's fp32 evaluation of
  # the same weights (the exported model computes in fp32).
  ort_dir=$(onnxruntime_or_skip) || exit $?
  args=(--threads 2 --quiet)
  fold=()
  if [ "$case" = export_onnxruntime_methods ]; then
    args+=(--add 'reorder model_parameters dynamic domain layer_freezing(start: 20%, end: 60%)'
           --add 'restrict derived_data static domain mixed_precision(dtype: bf16)')
    fold=(--fold-bn)
  fi
  "$fivec" run "$src/tests/e2e/recipes/tiny.5r" "${args[@]}" --out "$work/run" >"$work/run.out" 2>&1 \
    || { cat "$work/run.out"; fail "run failed"; }
  cat "$work/run.out"
  "$fivec" export "$work/run" -o "$work/model.onnx" --reference all "${fold[@]}" >"$work/export.out" 2>&1 \
    || { cat "$work/export.out"; fail "export failed"; }
  cat "$work/export.out"
  [ -s "$work/model.onnx" ] && [ -s "$work/model.pt" ] || fail "model.onnx or model.pt missing"
  grep -q "weights: as evaluated, swapped in by ema" "$work/export.out" || fail "ema weights not exported"
  if [ "$case" = export_onnxruntime_methods ]; then
    grep -q "batch norm folded into [1-9]" "$work/export.out" || fail "no frozen conv folded"
  fi
  if /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
    /usr/bin/python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' \
      "$work/model.onnx" || fail "python's onnx checker refused the model"
  fi
  node "$src/tools/onnx/run_onnxruntime.mjs" "$work/model.onnx" --reference "$work/model.reference" \
    --runtime "$ort_dir" >"$work/ort.json" || fail "onnxruntime failed"
  cat "$work/ort.json"
  python3 - "$work/ort.json" "$work/run/summary.json" "$case" <<'PY' || fail "onnxruntime disagrees with FiveR"
import json, sys
ort, summary, case = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
reported = summary["test_accuracy"]
print(f"max abs diff {ort['max_abs_diff']:.3g} (as the run evaluates: "
      f"{ort['max_abs_diff_as_run_evaluates']:.3g}); onnxruntime accuracy {ort['accuracy']:.4f}, "
      f"FiveR fp32 {ort['fiver_accuracy']:.4f}, run reported {reported:.4f}")
assert ort["examples"] == 10000, "not the whole test split"
# 1e-4, or 1e-5 of the logits' scale: a random imported ResNet's logits in
# evaluation reach 1e4, where fp32's own rounding is about 1e-3.
assert ort["max_abs_diff"] <= max(1e-4, 1e-5 * ort["max_abs_logit"]), "logits differ"
correct = lambda a: round(a * ort["examples"])
assert correct(ort["accuracy"]) == correct(ort["fiver_accuracy"]), "accuracy differs from FiveR's fp32"
assert correct(ort["fiver_run_accuracy"]) == correct(reported), "reference is not what the run evaluated"
if case == "export_onnxruntime":
    assert correct(ort["accuracy"]) == correct(reported), "accuracy differs from the run's"
PY
  ;;
*)
  fail "unknown case $case"
  ;;
esac
echo "PASS: $case"
