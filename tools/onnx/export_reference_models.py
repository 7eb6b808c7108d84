#!/usr/bin/python3
"""Exports the reference models to ONNX, with PyTorch's outputs to compare against.

Run by Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx).
For each model NAME it writes into OUT_DIR:
  NAME.onnx          the model, opset 13 (the transformers 17 or 14), BatchNormalization
                     kept (not folded into Conv)
  NAME.input.bin     a fixed input batch (float32 images, or int64 token ids)
  NAME.labels.bin    int64 labels for the loss of the training step (one a position
                     for sequences)
  NAME.eval.bin      PyTorch's output in eval mode (float32)
  NAME.train.bin     its output in train mode (batch statistics), float32
  NAME.grads.bin     the gradients of one training step's loss (mean cross entropy),
                     float32, concatenated in the order of NAME.json's "grads"
  NAME.json          shapes and the gradients' initializer names
Usage: export_reference_models.py OUT_DIR [NAME...]
"""

import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision

BATCH = 4


def small_vit(image_size):
    return torchvision.models.VisionTransformer(
        image_size=image_size, patch_size=4, num_layers=2, num_heads=2, hidden_dim=64,
        mlp_dim=128, num_classes=10)


# name: (constructor, opset, input and labels). The ViT at opset 17 writes
# LayerNormalization; at 14 PyTorch decomposes it (ReduceMean, Sub, Pow,
# Sqrt, Div). vit_fmnist reads Fashion-MNIST's 28x28 images (7x7 patches).
VOCAB, LENGTH, WIDTH, HEADS, BLOCKS = 32, 32, 64, 2, 2  # the synthetic_text task's sizes


class HandWrittenBlock(torch.nn.Module):
    """A GPT block as people write it: q, k, v linears, a registered lower
    triangle masking later positions (masked_fill), GELU MLP."""

    def __init__(self, length):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(WIDTH)
        self.q = torch.nn.Linear(WIDTH, WIDTH)
        self.k = torch.nn.Linear(WIDTH, WIDTH)
        self.v = torch.nn.Linear(WIDTH, WIDTH)
        self.proj = torch.nn.Linear(WIDTH, WIDTH)
        self.ln_2 = torch.nn.LayerNorm(WIDTH)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(WIDTH, 4 * WIDTH), torch.nn.GELU(),
                                       torch.nn.Linear(4 * WIDTH, WIDTH))
        self.register_buffer("mask", torch.tril(torch.ones(length, length)))

    def forward(self, x):
        b, t, d = x.shape
        h = self.ln_1(x)
        split = lambda y: y.view(b, t, HEADS, d // HEADS).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // HEADS))
        att = att.masked_fill(self.mask[:t, :t] == 0, float("-inf"))
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).contiguous().view(b, t, d)
        x = x + self.proj(y)
        return x + self.mlp(self.ln_2(x))


class HandWrittenGpt(torch.nn.Module):
    def __init__(self, vocab=VOCAB, length=LENGTH):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, WIDTH)
        self.wpe = torch.nn.Embedding(length, WIDTH)
        self.blocks = torch.nn.Sequential(*[HandWrittenBlock(length) for _ in range(BLOCKS)])
        self.ln_f = torch.nn.LayerNorm(WIDTH)
        self.head = torch.nn.Linear(WIDTH, vocab, bias=False)

    def forward(self, ids):
        positions = torch.arange(ids.shape[1], device=ids.device)
        return self.head(self.ln_f(self.blocks(self.wte(ids) + self.wpe(positions))))


class TiedGpt(HandWrittenGpt):
    """The hand-written GPT with its output layer reading the token table
    (GPT-2's weight tying): one parameter, two uses."""

    def __init__(self):
        super().__init__()
        self.head.weight = self.wte.weight


class CausalStackGpt(torch.nn.Module):
    """Decoder-only use of one of PyTorch's layer stacks (stored as `name`):
    pre-norm GELU layers whose attention gets a causal (additive -inf) mask,
    learned positions."""

    def __init__(self, name, layer_class, stack_class):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, WIDTH)
        self.positions = torch.nn.Parameter(torch.randn(1, LENGTH, WIDTH) * 0.5)
        layer = layer_class(WIDTH, HEADS, 4 * WIDTH, dropout=0.0, activation="gelu",
                            batch_first=True, norm_first=True)
        setattr(self, name, stack_class(layer, BLOCKS))
        self.norm = torch.nn.LayerNorm(WIDTH)
        self.head = torch.nn.Linear(WIDTH, VOCAB)
        causal = torch.full((LENGTH, LENGTH), float("-inf")).triu(1)
        self.register_buffer("causal", causal)

    def embedded(self, ids):
        return self.embed(ids) + self.positions


class EncoderGpt(CausalStackGpt):
    """nn.TransformerEncoder: causal self-attention."""

    def __init__(self):
        super().__init__("encoder", torch.nn.TransformerEncoderLayer, torch.nn.TransformerEncoder)

    def forward(self, ids):
        return self.head(self.norm(self.encoder(self.embedded(ids), mask=self.causal)))


class DecoderGpt(CausalStackGpt):
    """nn.TransformerDecoder: each layer's self-attention and its
    cross-attention over the memory both read the embedded tokens under the
    causal mask, so no position sees a later one."""

    def __init__(self):
        super().__init__("decoder", torch.nn.TransformerDecoderLayer, torch.nn.TransformerDecoder)

    def forward(self, ids):
        x = self.embedded(ids)
        y = self.decoder(x, x, tgt_mask=self.causal, memory_mask=self.causal)
        return self.head(self.norm(y))


def images(size):
    def make(gen):
        return (torch.randn((BATCH, 3, size, size), generator=gen),
                torch.randint(0, 10, (BATCH,), generator=gen))
    return make


def tokens(vocab, length):
    def make(gen):
        ids = torch.randint(0, vocab, (BATCH, length), generator=gen)
        return ids, torch.randint(0, vocab, (BATCH, length), generator=gen)
    return make


def image_models():
    m = torchvision.models
    return {
        "resnet18": (lambda: m.resnet18(num_classes=10), 13, images(32)),
        "resnet50": (lambda: m.resnet50(num_classes=10), 13, images(32)),
        "mobilenet_v2": (lambda: m.mobilenet_v2(num_classes=10), 13, images(32)),
        "mobilenet_v3_small": (lambda: m.mobilenet_v3_small(num_classes=10), 13, images(32)),
        "efficientnet_b0": (lambda: m.efficientnet_b0(num_classes=10), 13, images(32)),
        "vit_small": (lambda: small_vit(32), 17, images(32)),
        "vit_small_opset14": (lambda: small_vit(32), 14, images(32)),
        "vit_fmnist": (lambda: small_vit(28), 17, images(28)),
        # GPT-style causal transformers over the synthetic_text task's tokens.
        "gpt_handwritten": (HandWrittenGpt, 17, tokens(VOCAB, LENGTH)),
        "gpt_encoder": (EncoderGpt, 14, tokens(VOCAB, LENGTH)),
        "gpt_tied": (TiedGpt, 17, tokens(VOCAB, LENGTH)),
        "gpt_decoder": (DecoderGpt, 14, tokens(VOCAB, LENGTH)),
        # fortunes_text's bytes: 256 kinds, 128 a sequence (recipes/text/onnx/finetune_gpt.5r).
        "gpt_fortunes": (lambda: HandWrittenGpt(256, 128), 17, tokens(256, 128)),
    }


def write(path, tensor):
    path.write_bytes(tensor.detach().contiguous().numpy().tobytes())


def export_one(name, spec, out):
    make, opset, inputs = spec
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
    # torchvision's ViT starts its class token and its head at zero, and its
    # position table tiny: random values make the comparison say something.
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname in ("class_token", "encoder.pos_embedding"):
                p.normal_(0, 0.5)
            elif p.dim() >= 2 and not p.any():
                p.normal_(0, 0.1)
    x, labels = inputs(gen)
    model.eval()
    torch.onnx.export(model, x, str(out / f"{name}.onnx"), opset_version=opset,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    with torch.no_grad():
        eval_out = model(x)
    model.train()
    model.zero_grad()
    train_out = model(x)
    # Mean cross entropy over every prediction (each position of a sequence).
    F.cross_entropy(train_out.reshape(-1, train_out.shape[-1]), labels.reshape(-1)).backward()
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
    meta = {"input_shape": list(x.shape), "input_type": str(x.dtype).replace("torch.", ""),
            "labels_shape": list(labels.shape), "output_shape": list(eval_out.shape),
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
