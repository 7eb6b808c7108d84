// Runs an ONNX model in Microsoft's ONNX runtime (onnxruntime-node, CPU), an
// implementation FiveR shares no code with, on raw little-endian inputs, and
// writes its outputs the same way.
//
//   node run_onnxruntime.mjs MODEL.onnx --input FILE --shape N,C,H,W
//        [--dtype float32|int64] [--output FILE] [--batch 256]
//   node run_onnxruntime.mjs MODEL.onnx --reference DIR [--batch 256]
//
// With --reference, DIR is what `5rc export --reference N` wrote: the inputs
// are read from its reference.json, the outputs go to DIR/onnxruntime.bin,
// and a JSON line compares them with FiveR's logits (max abs difference) and
// the labels (accuracy). The runtime is found in $FIVER_ONNXRUNTIME_DIR or
// --runtime DIR (a folder holding node_modules/onnxruntime-node, as
// tools/install_onnxruntime.sh prints).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

function parseArgs(argv) {
  const args = { batch: 256, dtype: "float32" };
  const rest = [];
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a.startsWith("--")) args[a.slice(2)] = argv[++i];
    else rest.push(a);
  }
  args.model = rest[0];
  if (!args.model) throw new Error("usage: run_onnxruntime.mjs MODEL.onnx (--reference DIR | --input FILE --shape ...)");
  return args;
}

function loadRuntime(dir) {
  if (!dir) throw new Error("set FIVER_ONNXRUNTIME_DIR or pass --runtime (tools/install_onnxruntime.sh)");
  return createRequire(path.join(path.resolve(dir), "package.json"))("onnxruntime-node");
}

function readRaw(file, dtype) {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return dtype === "int64" ? new BigInt64Array(buffer) : new Float32Array(buffer);
}

// The outputs of every example, run `batch` examples at a time.
async function runAll(ort, session, data, dtype, shape, batch) {
  const perExample = shape.slice(1).reduce((a, b) => a * b, 1);
  const outputs = [];
  let outShape = null;
  for (let start = 0; start < shape[0]; start += batch) {
    const n = Math.min(batch, shape[0] - start);
    const slice = data.subarray(start * perExample, (start + n) * perExample);
    const feeds = { [session.inputNames[0]]: new ort.Tensor(dtype, slice, [n, ...shape.slice(1)]) };
    const result = (await session.run(feeds))[session.outputNames[0]];
    outShape = [shape[0], ...result.dims.slice(1)];
    outputs.push(result.data);
  }
  const out = new Float32Array(outputs.reduce((s, o) => s + o.length, 0));
  let at = 0;
  for (const o of outputs) { out.set(o, at); at += o.length; }
  return { out, outShape };
}

function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`output sizes differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Share of rows (of the last dimension) whose argmax is the label.
function accuracy(logits, classes, labels) {
  let correct = 0;
  for (let r = 0; r < labels.length; ++r) {
    let best = 0;
    for (let c = 1; c < classes; ++c) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    if (BigInt(best) === labels[r]) ++correct;
  }
  return correct / Math.max(1, labels.length);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ort = loadRuntime(args.runtime || process.env.FIVER_ONNXRUNTIME_DIR);
  const session = await ort.InferenceSession.create(args.model, { intraOpNumThreads: 2 });
  const batch = Number(args.batch);
  if (!args.reference) {
    const shape = args.shape.split(",").map(Number);
    const { out, outShape } = await runAll(ort, session, readRaw(args.input, args.dtype), args.dtype, shape, batch);
    fs.writeFileSync(args.output || "onnxruntime.bin", Buffer.from(out.buffer));
    console.log(JSON.stringify({ output_shape: outShape }));
    return;
  }
  const dir = args.reference;
  const index = JSON.parse(fs.readFileSync(path.join(dir, "reference.json"), "utf8"));
  const input = readRaw(path.join(dir, index.input.file), index.input.dtype);
  const { out, outShape } = await runAll(ort, session, input, index.input.dtype, index.input.shape, batch);
  fs.writeFileSync(path.join(dir, "onnxruntime.bin"), Buffer.from(out.buffer));
  const classes = outShape[outShape.length - 1];
  const labels = readRaw(path.join(dir, index.labels.file), "int64");
  const fiverLogits = readRaw(path.join(dir, index.logits.file), "float32");
  const report = {
    examples: index.examples,
    output_shape: outShape,
    max_abs_diff: maxAbsDiff(out, fiverLogits),
    // The logits' scale: fp32 rounding differs by about 1e-7 of it.
    max_abs_logit: maxAbs(fiverLogits),
    max_abs_diff_as_run_evaluates: maxAbsDiff(out, readRaw(path.join(dir, index.run_logits.file), "float32")),
    accuracy: accuracy(out, classes, labels),
    fiver_accuracy: index.accuracy,
    fiver_run_accuracy: index.run_accuracy,
  };
  console.log(JSON.stringify(report));
}

main().catch((e) => { console.error(`run_onnxruntime: ${e.message}`); process.exit(1); });
