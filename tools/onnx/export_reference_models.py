#!/usr/bin/python3
"""Exports the reference models to ONNX, with PyTorch's outputs to compare against.

Run by Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx).
For each model NAME it writes into OUT_DIR:
  NAME.onnx          the model, opset 13, BatchNormalization kept (not folded into Conv)
  NAME.input.bin     a fixed input batch (float32, or int64 token ids)
  NAME.labels.bin    int64 labels for the loss of the training step
  NAME.eval.bin      PyTorch's output in eval mode (float32)
  NAME.train.bin     its output in train mode (batch statistics), float32
  NAME.grads.bin     the gradients of one training step's loss (mean cross entropy),
                     float32, concatenated in the order of NAME.json's "grads"
  NAME.json          shapes and the gradients' initializer names
Usage: export_reference_models.py OUT_DIR [NAME...]
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision

BATCH = 4
IMAGE = (3, 32, 32)


def image_models():
    m = torchvision.models
    return {
        "resnet18": lambda: m.resnet18(num_classes=10),
        "resnet50": lambda: m.resnet50(num_classes=10),
        "mobilenet_v2": lambda: m.mobilenet_v2(num_classes=10),
        "mobilenet_v3_small": lambda: m.mobilenet_v3_small(num_classes=10),
        "efficientnet_b0": lambda: m.efficientnet_b0(num_classes=10),
        "vit_small": lambda: m.VisionTransformer(image_size=32, patch_size=4, num_layers=2,
                                                 num_heads=2, hidden_dim=64, mlp_dim=128,
                                                 num_classes=10),
    }


def write(path, tensor):
    path.write_bytes(tensor.detach().contiguous().numpy().tobytes())


def export_one(name, make, out):
    torch.manual_seed(0)
    model = make()
    # An eval-mode export has no dropout or stochastic depth: turn them off
    # for the train-mode reference too, so it is deterministic.
    for module in model.modules():
        if isinstance(module, (torch.nn.Dropout, torchvision.ops.StochasticDepth)):
            module.p = 0.0
    # Running statistics other than 0/1, so eval mode is really tested.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn((BATCH,) + IMAGE, generator=gen)
    labels = torch.randint(0, 10, (BATCH,), generator=gen)
    model.eval()
    torch.onnx.export(model, x, str(out / f"{name}.onnx"), opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    with torch.no_grad():
        eval_out = model(x)
    model.train()
    model.zero_grad()
    train_out = model(x)
    F.cross_entropy(train_out, labels).backward()
    names, grads = [], []
    for pname, p in model.named_parameters():
        if p.grad is not None:
            names.append(pname)
            grads.append(p.grad.flatten())
    write(out / f"{name}.input.bin", x)
    write(out / f"{name}.labels.bin", labels)
    write(out / f"{name}.eval.bin", eval_out)
    write(out / f"{name}.train.bin", train_out)
    write(out / f"{name}.grads.bin", torch.cat(grads))
    meta = {"input_shape": list(x.shape), "output_shape": list(eval_out.shape),
            "grads": [[n, list(p.shape)] for n, p in model.named_parameters()
                      if p.grad is not None]}
    (out / f"{name}.json").write_text(json.dumps(meta, indent=1))


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    models = image_models()
    wanted = sys.argv[2:] or list(models)
    torch.set_num_threads(1)
    for name in wanted:
        export_one(name, models[name], out)
        print(f"exported {name}")


if __name__ == "__main__":
    main()
