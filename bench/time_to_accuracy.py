#!/usr/bin/env python3
"""Time-to-accuracy of a speedup recipe against a baseline recipe.

Runs the baseline and the recipe in turn (A B A B ...) on this machine, so that
drift affects both alike. The target is the baseline's final accuracy in the
same round: the holdout's when the recipes set `holdout` (e.g. `-- --set
holdout=10000`), else the test split's. The recipe's time to it is the train
time (evaluation excluded) of its first evaluation at or above the target.
Prints each round, then the median speedup epsilon = T_baseline / T_recipe
(Definition 2.1 of the survey at delta >= 0), or says that the recipe never
reached the target.

    bench/time_to_accuracy.py [--rounds N] [--threads N] [--target ACC]
                              BASELINE.5r RECIPE.5r [-- extra 5rc run args]

With --target the target is fixed (e.g. 0.92) instead of the baseline's
final accuracy, and only the recipe runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train(recipe, out, threads, extra):
    cmd = [os.path.join(ROOT, "build/bin/5rc"), "run", recipe, "--out", out, "--quiet",
           "--threads", str(threads)] + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def metric(summary):
    """The accuracy the run evaluated each epoch: the holdout's when the recipe
    sets one (tuning never looks at test), else the test split's."""
    return summary.get("eval_split", "test") + "_accuracy"


def time_to(summary, target):
    """Train seconds of the first evaluation reaching `target`, or None: at
    epoch ends, and between them when the run had `--eval-every`."""
    points = summary["epoch_curve"] + summary.get("eval_curve", [])
    for point in sorted(points, key=lambda p: p["train_seconds"]):
        if point[metric(summary)] >= target:
            return point["train_seconds"]
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("baseline")
    p.add_argument("recipe")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--target", type=float, help="fixed target accuracy in [0, 1]")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="after --: extra `5rc run` arguments")
    a = p.parse_args()
    extra = a.extra[1:] if a.extra[:1] == ["--"] else a.extra

    speedups = []
    reached = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(1, a.rounds + 1):
            if a.target is None:
                base = train(a.baseline, os.path.join(tmp, f"a{i}"), a.threads, extra)
                target, t_base = base[metric(base)], base["train_seconds"]
            else:
                target, t_base = a.target, None
            rec = train(a.recipe, os.path.join(tmp, f"b{i}"), a.threads, extra)
            t_rec = time_to(rec, target)
            line = f"round {i}: target {100 * target:.2f}%"
            if t_base is not None:
                line += f"  baseline {t_base:7.1f} s"
            line += (f"  recipe final {100 * rec[metric(rec)]:.2f}% {metric(rec)} "
                     f"in {rec['train_seconds']:.1f} s")
            if t_rec is None:
                line += ", never reached the target"
            else:
                line += f", reached it at {t_rec:.1f} s"
                reached.append(t_rec)
                if t_base is not None:
                    speedups.append(t_base / t_rec)
                    line += f"  speedup {t_base / t_rec:.2f}x"
            print(line, flush=True)

    if a.target is not None:
        if reached:
            print(f"median time to {100 * a.target:.2f}%: {statistics.median(reached):.1f} s "
                  f"({len(reached)} of {a.rounds} runs reached it)")
        else:
            print(f"no run reached {100 * a.target:.2f}%")
        return 0 if reached else 1
    if len(speedups) < a.rounds:
        print(f"the recipe missed the baseline's accuracy in {a.rounds - len(speedups)} of "
              f"{a.rounds} rounds")
    if speedups:
        print(f"median speedup to the baseline's final accuracy: "
              f"{statistics.median(speedups):.2f}x over {len(speedups)} rounds")
    return 0 if len(speedups) == a.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
