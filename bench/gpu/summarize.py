#!/usr/bin/env python3
"""Reads the results folder of bench/gpu/run.sh and prints the benchmark table:
median time to 93% and 94% test accuracy (training time, evaluation excluded,
read at epoch ends) and images/s, over the seeds, for FiveR and the PyTorch
reference (eager and torch.compile)."""
import glob
import json
import os
import statistics
import sys

TARGETS = (0.93, 0.94)


def time_to(curve, target):
    # A run with a holdout has holdout accuracies in its curve: its time to a
    # target is the holdout's.
    for point in curve:
        if point.get("holdout_accuracy", point.get("test_accuracy", 0)) >= target:
            return point["train_seconds"]
    return None


def fiver_runs(folder, pattern="fiver-s*"):
    for path in sorted(glob.glob(os.path.join(folder, pattern, "summary.json"))):
        with open(path) as f:
            s = json.load(f)
        yield s["epoch_curve"], s["images_per_second"], s["test_accuracy"]


def torch_runs(folder, mode):
    for path in sorted(glob.glob(os.path.join(folder, f"torch-{mode}-s*.jsonl"))):
        lines = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
        curve = [l for l in lines if "epoch" in l]
        summary = [l for l in lines if l.get("summary")]
        if summary:
            yield curve, summary[-1]["images_per_second"], summary[-1]["test_accuracy"]


def median_or_dash(values, fmt):
    values = [v for v in values if v is not None]
    return fmt.format(statistics.median(values)) if values else "-"


def main(folder):
    rows = [("FiveR (recipes/fmnist/gpu.5r)", list(fiver_runs(folder))),
            ("PyTorch eager", list(torch_runs(folder, "eager"))),
            ("PyTorch torch.compile", list(torch_runs(folder, "compile")))]
    # The recipe at seed 0 with one part switched off (bench/gpu/run.sh).
    for path in sorted(p for p in glob.glob(os.path.join(folder, "ablation-*")) if os.path.isdir(p)):
        name = os.path.basename(path)
        rows.append((f"FiveR, {name[len('ablation-'):]} (seed 0)", list(fiver_runs(folder, name))))
    print("| run | seeds | " + " | ".join(f"time to {t:.0%} (s)" for t in TARGETS) +
          " | final accuracy | images/s |")
    print("|---|---|" + "---|" * len(TARGETS) + "---|---|")
    for name, runs in rows:
        cells = [median_or_dash([time_to(c, t) for c, _, _ in runs], "{:.2f}") for t in TARGETS]
        reached = [sum(time_to(c, t) is not None for c, _, _ in runs) for t in TARGETS]
        cells = [f"{c} ({r}/{len(runs)} reached)" for c, r in zip(cells, reached)]
        print(f"| {name} | {len(runs)} | " + " | ".join(cells) + " | " +
              median_or_dash([a for _, _, a in runs], "{:.4f}") + " | " +
              median_or_dash([i for _, i, _ in runs], "{:.0f}") + " |")

    # The text recipe with fused attention and without each of its parts.
    text = sorted(glob.glob(os.path.join(folder, "text-*", "summary.json")))
    if text:
        print("\n| text run (recipes/text/gpu.5r) | train s | images/s | test accuracy |")
        print("|---|---|---|---|")
        for path in text:
            with open(path) as f:
                s = json.load(f)
            print(f"| {os.path.basename(os.path.dirname(path))} | {s['train_seconds']:.2f} | "
                  f"{s['images_per_second']:.0f} | {s['test_accuracy']:.4f} |")
    # Where each FiveR run's first epoch went (5rc-exec's startup record).
    print("\n| FiveR run | data ready (s) | model ready (s) | first step (s) | first steps at "
          "new shapes (s) | first epoch (s) | at the later rate (s) |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(glob.glob(os.path.join(folder, "*", "summary.json"))):
        with open(path) as f:
            startup = json.load(f).get("startup")
        if not startup:
            continue
        marks, steps = startup["marks"], startup["watched_steps"]
        later = startup.get("later_step_seconds")
        first_epoch = startup["first_epoch_train_seconds"]
        at_rate = first_epoch - startup["first_epoch_over_later_rate_seconds"] if later else None
        print(f"| {os.path.basename(os.path.dirname(path))} | {marks.get('data_ready', 0):.2f} | "
              f"{marks.get('model_ready', 0):.2f} | {steps[0]['seconds'] if steps else 0:.3f} | "
              f"{sum(w['seconds'] for w in steps if w['new_shape']):.3f} "
              f"({sum(w['new_shape'] for w in steps)} shapes) | {first_epoch:.2f} | "
              + (f"{at_rate:.2f}" if at_rate is not None else "-") + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gpu-results")
