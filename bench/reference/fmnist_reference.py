#!/usr/bin/env python3
"""Plain PyTorch reference for the Fashion-MNIST time-to-accuracy benchmark.

It trains the same models as stdlib/models.5r (small_cnn, resnet_tiny) with the
same data handling as 5rc-exec (pixels / 255, standardised by the training set's
mean and std, data resident on the device, batched crop and flip), the same
optimizer (SGD, nesterov, coupled weight decay), the same one-cycle schedule
(linear warm-up from peak/25, cosine down to peak/25/1e4), label smoothing and
EMA of the weights used at evaluation. Eager, or with --compile for
torch.compile. Prints one JSON line per epoch and a summary line, the format
bench/gpu/run.sh reads.
"""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir, device):
    def split(prefix):
        x = torch.from_numpy(read_idx(f"{data_dir}/{prefix}-images-idx3-ubyte.gz").copy())
        y = torch.from_numpy(read_idx(f"{data_dir}/{prefix}-labels-idx1-ubyte.gz").copy())
        return x.float().div_(255).unsqueeze(1), y.long()
    xtr, ytr = split("train")
    xte, yte = split("t10k")
    mean, std = xtr.mean().item(), xtr.std().item()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    return xtr.to(device), ytr.to(device), xte.to(device), yte.to(device), -mean / std


def conv_bn_relu(cin, cout, stride=1, relu=True):
    layers = [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, *([nn.ReLU(inplace=True)] if relu else []))


class Residual(nn.Module):
    def __init__(self, branch, shortcut=None, relu_after=False):
        super().__init__()
        self.branch, self.shortcut, self.relu_after = branch, shortcut, relu_after

    def forward(self, x):
        y = self.branch(x) + (self.shortcut(x) if self.shortcut is not None else x)
        return F.relu(y) if self.relu_after else y


def small_cnn(width, classes=10):
    w = width
    return nn.Sequential(
        conv_bn_relu(1, w), nn.MaxPool2d(2),
        conv_bn_relu(w, 2 * w), nn.MaxPool2d(2),
        Residual(nn.Sequential(conv_bn_relu(2 * w, 2 * w), conv_bn_relu(2 * w, 2 * w))),
        conv_bn_relu(2 * w, 4 * w),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * w, classes))


def resnet_tiny(width, blocks=1, classes=10):
    w = width
    def down(cin, cout):
        return Residual(nn.Sequential(conv_bn_relu(cin, cout, 2), conv_bn_relu(cout, cout, relu=False)),
                        nn.Sequential(nn.Conv2d(cin, cout, 1, 2, bias=False), nn.BatchNorm2d(cout)),
                        relu_after=True)
    layers = [conv_bn_relu(1, w)]
    layers += [Residual(nn.Sequential(conv_bn_relu(w, w), conv_bn_relu(w, w, relu=False)), relu_after=True)
               for _ in range(blocks)]
    layers += [down(w, 2 * w), down(2 * w, 4 * w), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(4 * w, classes)]
    return nn.Sequential(*layers)


def init_weights(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def one_cycle(step, total, peak, warmup, div=25.0, final_div=1e4):
    start, end = peak / div, peak / div / final_div
    warm = math.floor(warmup * total)
    t = min(max(step, 0), total - 1)
    if t < warm:
        return start + (peak - start) * t / warm
    p = (t - warm) / max(1.0, total - 1 - warm)
    return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * p))


def augment(x, padding, fill):
    b, _, h, w = x.shape
    padded = F.pad(x, (padding,) * 4, value=fill)
    dy = torch.randint(0, 2 * padding + 1, (b,), device=x.device)
    dx = torch.randint(0, 2 * padding + 1, (b,), device=x.device)
    rows = (torch.arange(h, device=x.device)[None] + dy[:, None])[:, None, :, None]
    cols = (torch.arange(w, device=x.device)[None] + dx[:, None])[:, None, None, :]
    out = padded.gather(2, rows.expand(b, 1, h, w + 2 * padding)).gather(3, cols.expand(b, 1, h, w))
    flip = torch.rand(b, 1, 1, 1, device=x.device) < 0.5
    return torch.where(flip, out.flip(3), out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("FIVER_DATA_DIR", "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--model", choices=["small_cnn", "resnet_tiny"], default="resnet_tiny")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--blocks", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--lr", type=float, default=0.2)
    ap.add_argument("--warmup", type=float, default=0.25)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--ema-half-life", type=float, default=0, help="in steps; 0 = no EMA")
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    torch.backends.cudnn.benchmark = True
    xtr, ytr, xte, yte, fill = load(a.data, dev)
    net = small_cnn(a.width) if a.model == "small_cnn" else resnet_tiny(a.width, a.blocks)
    init_weights(net)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(dev, memory_format=fmt)
    ema = torch.optim.swa_utils.AveragedModel(
        net, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.5 ** (1 / a.ema_half_life)),
        use_buffers=True) if a.ema_half_life > 0 else None
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, nesterov=True,
                          weight_decay=a.weight_decay)
    step_fn = torch.compile(net) if a.compile else net
    steps_per_epoch = math.ceil(len(xtr) / a.batch_size)
    total = steps_per_epoch * a.epochs
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16)

    def evaluate():
        model = ema.module if ema is not None else net
        model.eval()
        correct = 0
        with torch.no_grad(), autocast:
            for i in range(0, len(xte), 2048):
                x = xte[i:i + 2048].contiguous(memory_format=fmt)
                correct += (model(x).argmax(1) == yte[i:i + 2048]).sum().item()
        net.train()
        return correct / len(xte)

    train_seconds, step = 0.0, 0
    for epoch in range(a.epochs):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        perm = torch.randperm(len(xtr), device=dev)
        for i in range(steps_per_epoch):
            idx = perm[i * a.batch_size:(i + 1) * a.batch_size]
            x = augment(xtr[idx], 2, fill).contiguous(memory_format=fmt)
            for g in opt.param_groups:
                g["lr"] = one_cycle(step, total, a.lr, a.warmup)
            with autocast:
                loss = F.cross_entropy(step_fn(x), ytr[idx], label_smoothing=a.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(net)
            step += 1
        if dev.type == "cuda":
            torch.cuda.synchronize()
        train_seconds += time.perf_counter() - t0
        acc = evaluate()
        print(json.dumps({"epoch": epoch + 1, "test_accuracy": acc, "train_seconds": train_seconds}),
              flush=True)
    print(json.dumps({"summary": True, "test_accuracy": acc, "train_seconds": train_seconds,
                      "images_per_second": step * a.batch_size / train_seconds,
                      "compile": a.compile, "device": str(dev),
                      "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
