#!/usr/bin/python3
"""Writes the ONNX importer fuzzer's transformer seeds (tests/fuzz/onnx_seeds):
the reference GPTs of export_reference_models.py at 8 features, 8 tokens, 4
positions and one block, so that each file stays under the fuzzer's 64 KiB
while keeping PyTorch's shape subgraphs (Shape, Slice to INT64_MAX, Squeeze,
Concat, Reshape) for the constant folding to be fuzzed on.
Usage: export_fuzz_seeds.py OUT_DIR  (Debian's /usr/bin/python3, python3-torch)
"""

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
import export_reference_models as reference  # noqa: E402

reference.VOCAB, reference.LENGTH, reference.WIDTH, reference.HEADS, reference.BLOCKS = 8, 4, 8, 2, 1


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    seeds = [("tiny_gpt_decoder", reference.DecoderGpt, 14),
             ("tiny_gpt_encoder", reference.EncoderGpt, 14),
             ("tiny_gpt_handwritten", lambda: reference.HandWrittenGpt(8, 4), 17)]
    for name, make, opset in seeds:
        model = make().eval()
        ids = torch.randint(0, reference.VOCAB, (2, reference.LENGTH))
        torch.onnx.export(model, ids, str(out / f"{name}.onnx"), opset_version=opset,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        print(f"wrote {name}.onnx ({(out / f'{name}.onnx').stat().st_size} bytes)")


if __name__ == "__main__":
    main()
