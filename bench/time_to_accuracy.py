#!/usr/bin/env python3
"""Time to accuracy of any number of trainers, each read the same way.

A side is a FiveR recipe or any command that trains. Every side writes the
evaluation log of docs/eval-log.md, OUT/eval.jsonl, evaluating every
--eval-every steps (the same cadence for all sides) and at its end; the time
to a target accuracy is the train_seconds (evaluation excluded) of the first
line at or above it, and a run none of whose lines reaches it never reached
it (printed as —). The accuracy is the run's evaluation split: the holdout's
when the sides hold examples out, else the test split's.

    bench/time_to_accuracy.py [RECIPE.5r ...] [--side NAME=SPEC ...]
        [--seeds 0,1,2] [--eval-every N] [--threads T]
        [--targets 0.90,0.91,0.92,0.93] [--baseline NAME] [--reference NAME]
        [--json FILE] [--keep DIR] [-- extra `5rc run` arguments]
    bench/time_to_accuracy.py --from DIR [--targets ...] [--baseline NAME]
        [--reference NAME] [--json FILE]

Sides, in the order given (positional recipes first, named after their file):
  RECIPE.5r or --side NAME='RECIPE.5r [5rc run args]': trained with
    `build/bin/5rc run RECIPE --out OUT --quiet --threads T --eval-every N
    --set seed=S [its args] [the args after --]`;
  --side NAME='shell command': run by the shell after {out}, {seed},
    {threads} and {eval_every} are replaced, e.g.
    --side strong='build/bin/fmnist_strong --out {out} --seed {seed}
    --threads {threads} --eval-every {eval_every} --epochs 12'.

Runs alternate sides so that drift on the machine affects all alike: for each
seed every side runs once, and the side that starts rotates from seed to seed
so that order effects cancel. Each run prints a line as it finishes; then a
table: for each side, the median over seeds of its time to each target (a
seed that never reached a target counts as infinitely slow, so the median is
— when half the seeds or more never reached it) with how many seeds reached
it, its median final accuracy and median train time; then, for each side
other than the reference (--reference, default the first side), the ratio
reference time / side time of those medians per target: the speedup.

--baseline NAME adds a per-seed target: the baseline's final accuracy in that
seed's run. The others' time to it is their first evaluation reaching it; the
baseline's own time to it is read the same way, as its first evaluation
reaching its final accuracy, which may come before its run's end. Ratios
against the baseline use that first-reach time: the symmetric reading, where
every side is timed by the same rule at the same cadence. The baseline's
full train time is printed beside it (and the speedups against it), as the
time one would have to spend without knowing when it peaks. Without
--targets and --baseline, the reference is the baseline.

--keep DIR keeps each run's folder, DIR/<side>/seed<S>/ (its eval.jsonl, the
trainer's output in output.txt, FiveR's summary and metrics; not checkpoints),
with DIR/runs.json saying what ran, so that the raw logs can be committed;
--from DIR reads such a folder again and prints the table without training.
--json FILE writes every run's evaluations and the table. The exit status is
1 when a run failed.
"""
import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVER = "—"


# ----------------------------------------------------------------- reading

def read_eval_log(path):
    """The lines of an eval.jsonl, in order; a line cut short by a kill is
    skipped."""
    lines = []
    with open(path) as f:
        for text in f:
            text = text.strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except ValueError:
                continue
            if "accuracy" in record and "train_seconds" in record:
                lines.append(record)
    return lines


def time_to(evals, target):
    """Train seconds of the first evaluation at or above `target`, else None."""
    for e in evals:
        if e["accuracy"] >= target:
            return float(e["train_seconds"])
    return None


def final_accuracy(evals):
    return float(evals[-1]["accuracy"]) if evals else None


def train_time(evals):
    """The run's full train time: its last evaluation is at its end."""
    return float(evals[-1]["train_seconds"]) if evals else None


def median_time(times):
    """Median over seeds, None (never reached) counting as infinitely slow;
    None when the median itself is infinite."""
    if not times:
        return None
    m = statistics.median([math.inf if t is None else t for t in times])
    return None if math.isinf(m) else m


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def target_label(target):
    return f"{100 * target:.2f}%"


def table(runs, sides, targets, baseline=None, reference=None):
    """Medians per side over seeds, and the reference's ratios.

    runs: dicts with side, seed and evals (the eval.jsonl lines; empty when
    the run failed). Returns a dict: columns (labels), rows (side -> cells),
    ratios (side -> label -> ratio or None), and, with a baseline, what its
    full train time makes of the speedups."""
    reference = reference or sides[0]
    by = {(r["side"], r["seed"]): r for r in runs}
    seeds = sorted({r["seed"] for r in runs})
    columns = [target_label(t) for t in targets]
    base_col = f"{baseline} final" if baseline else None
    if base_col:
        columns.append(base_col)
    base_targets = {}
    if baseline:
        for s in seeds:
            run = by.get((baseline, s))
            if run and run["evals"]:
                base_targets[s] = final_accuracy(run["evals"])

    rows = {}
    for side in sides:
        cells = {}
        side_runs = [by[(side, s)] for s in seeds if (side, s) in by]
        for t, label in zip(targets, columns):
            times = [time_to(r["evals"], t) for r in side_runs]
            cells[label] = cell(times)
        if base_col:
            times = [time_to(r["evals"], base_targets[r["seed"]])
                     if r["seed"] in base_targets else None for r in side_runs]
            cells[base_col] = cell(times)
        rows[side] = {
            "times": cells,
            "final_accuracy": median_of([final_accuracy(r["evals"]) for r in side_runs]),
            "train_seconds": median_of([train_time(r["evals"]) for r in side_runs]),
            "runs": len(side_runs),
            "failed": sum(1 for r in side_runs if not r["evals"]),
        }

    ratios = {}
    for side in sides:
        if side == reference:
            continue
        ratios[side] = {label: ratio(rows[reference]["times"][label]["median"],
                                     rows[side]["times"][label]["median"]) for label in columns}
    result = {"columns": columns, "rows": rows, "reference": reference, "ratios": ratios,
              "seeds": seeds}
    if baseline:
        # The asymmetric reading: the baseline's whole run against the
        # others' first reach of its final accuracy.
        full = rows[baseline]["train_seconds"]
        result["baseline"] = {
            "side": baseline,
            "targets": {str(s): a for s, a in base_targets.items()},
            "train_seconds": full,
            "first_reach_seconds": rows[baseline]["times"][base_col]["median"],
            "speedups_against_train_seconds": {
                side: ratio(full, rows[side]["times"][base_col]["median"])
                for side in sides if side != baseline},
        }
    return result


def cell(times):
    return {"median": median_time(times), "reached": sum(1 for t in times if t is not None),
            "seeds": len(times)}


def ratio(reference_time, side_time):
    if reference_time is None or side_time is None or side_time <= 0:
        return None
    return reference_time / side_time


# ----------------------------------------------------------------- printing

def seconds_text(t):
    return NEVER if t is None else f"{t:.1f}"


def format_table(t):
    """The table as text lines."""
    header = ["side"] + t["columns"] + ["final acc", "train s"]
    body = []
    for side, row in t["rows"].items():
        cells = [side]
        for label in t["columns"]:
            c = row["times"][label]
            cells.append(f"{seconds_text(c['median'])} ({c['reached']}/{c['seeds']})")
        acc = row["final_accuracy"]
        cells.append(NEVER if acc is None else f"{100 * acc:.2f}%")
        cells.append(seconds_text(row["train_seconds"]))
        body.append(cells)
    for side, per in t["ratios"].items():
        cells = [f"{t['reference']}/{side}"]
        for label in t["columns"]:
            r = per[label]
            cells.append(NEVER if r is None else f"{r:.2f}x")
        body.append(cells + ["", ""])
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(header)]
    rows = len(t["rows"])
    for i, cells in enumerate(body):
        if i == rows:
            out.append("")
        out.append(line(cells))
    if "baseline" in t:
        b = t["baseline"]
        out.append("")
        out.append(f"{b['side']}: median train time {seconds_text(b['train_seconds'])} s, its "
                   f"final accuracy first reached at {seconds_text(b['first_reach_seconds'])} s "
                   "(the ratios above use this first reach)")
        others = ", ".join(f"{side} {NEVER if r is None else f'{r:.2f}x'}"
                           for side, r in b["speedups_against_train_seconds"].items())
        if others:
            out.append(f"against its full train time instead: {others}")
    return out


def run_line(run, targets):
    head = f"seed {run['seed']}  {run['side']}"
    if not run["evals"]:
        return f"{head}: failed ({run.get('error', 'no evaluations')})"
    evals = run["evals"]
    split = evals[-1].get("split", "?")
    text = (f"{head}: final {100 * final_accuracy(evals):.2f}% {split} in "
            f"{train_time(evals):.1f} s train")
    if run.get("wall_seconds") is not None:
        text += f" ({run['wall_seconds']:.1f} s wall)"
    reach = [f"{target_label(t)} at {seconds_text(time_to(evals, t))}" for t in targets]
    if reach:
        text += "; " + ", ".join(reach)
    if run.get("error"):
        text += f"  [{run['error']}]"
    return text


# ----------------------------------------------------------------- running

def parse_side(name, spec, extra):
    """A side: a recipe (first word ends in .5r) or a shell command."""
    words = shlex.split(spec)
    if words and words[0].endswith(".5r"):
        return {"name": name, "kind": "recipe", "recipe": words[0], "args": words[1:] + extra}
    return {"name": name, "kind": "command", "command": spec}


def side_command(side, out, seed, threads, eval_every, fivec):
    if side["kind"] == "recipe":
        return [fivec, "run", os.path.abspath(side["recipe"]), "--out", out, "--quiet",
                "--threads", str(threads), "--eval-every", str(eval_every),
                "--set", f"seed={seed}"] + side["args"]
    command = side["command"]
    for key, value in (("{out}", shlex.quote(out)), ("{seed}", str(seed)),
                       ("{threads}", str(threads)), ("{eval_every}", str(eval_every))):
        command = command.replace(key, value)
    return command


def train(side, out, seed, threads, eval_every, fivec):
    """Runs one side once into `out`; returns the run's record."""
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "eval.jsonl")
    if os.path.exists(log):
        os.remove(log)  # a stale log must not pass for this run's
    cmd = side_command(side, out, seed, threads, eval_every, fivec)
    run = {"side": side["name"], "seed": seed,
           "command": cmd if isinstance(cmd, str) else shlex.join(cmd), "evals": []}
    start = time.monotonic()
    with open(os.path.join(out, "output.txt"), "w") as output:
        proc = subprocess.run(cmd, shell=isinstance(cmd, str), stdout=output,
                              stderr=subprocess.STDOUT)
    run["wall_seconds"] = time.monotonic() - start
    run["returncode"] = proc.returncode
    if os.path.exists(log):
        run["evals"] = read_eval_log(log)
    if proc.returncode != 0:
        with open(os.path.join(out, "output.txt"), errors="replace") as output:
            said = [text.strip() for text in output if text.strip()]
        errors = [text for text in said if "error" in text.lower()]
        said = errors[:1] or said[-1:]
        run["error"] = f"exit status {proc.returncode}" + (f": {said[0]}" if said else "")
        run["evals"] = []
    elif not run["evals"]:
        run["error"] = f"no evaluations in {log}"
    # Checkpoints are for resuming, not for the record.
    checkpoint = os.path.join(out, "checkpoint.pt")
    if os.path.exists(checkpoint):
        os.remove(checkpoint)
    return run


def schedule(sides, seeds):
    """(seed, side) in the order they run: seed-major, the starting side
    rotating by one each seed."""
    order = []
    for i, seed in enumerate(seeds):
        k = i % len(sides)
        order += [(seed, side) for side in sides[k:] + sides[:k]]
    return order


def read_kept(folder):
    """Runs kept by --keep: (side names in order, runs)."""
    manifest = os.path.join(folder, "runs.json")
    if os.path.exists(manifest):
        with open(manifest) as f:
            info = json.load(f)
        names = [s["name"] for s in info["sides"]]
    else:
        names = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    runs = []
    for name in names:
        side_dir = os.path.join(folder, name)
        if not os.path.isdir(side_dir):
            continue
        for entry in sorted(os.listdir(side_dir)):
            if not entry.startswith("seed") or not entry[4:].lstrip("-").isdigit():
                continue
            log = os.path.join(side_dir, entry, "eval.jsonl")
            run = {"side": name, "seed": int(entry[4:]), "evals": []}
            if os.path.exists(log):
                run["evals"] = read_eval_log(log)
            if not run["evals"]:
                run["error"] = f"no evaluations in {log}"
            runs.append(run)
    runs.sort(key=lambda r: (r["seed"], names.index(r["side"])))
    return [n for n in names if any(r["side"] == n for r in runs)], runs


def numbers(text, kind):
    return [kind(x) for x in text.split(",") if x.strip()]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipes", nargs="*",
                   help="FiveR recipes (.5r), each a side named after its file")
    p.add_argument("--side", action="append", default=[], metavar="NAME=SPEC",
                   help="a named side: a recipe with `5rc run` arguments, or a shell command "
                        "with {out} {seed} {threads} {eval_every}")
    p.add_argument("--seeds", default="0", metavar="LIST", help="comma-separated seeds (default 0)")
    p.add_argument("--eval-every", type=int, default=100, metavar="N",
                   help="evaluate every N steps (default 100)")
    p.add_argument("--threads", type=int, default=2, metavar="T",
                   help="threads per run (default 2)")
    p.add_argument("--targets", default="", metavar="LIST",
                   help="comma-separated target accuracies, e.g. 0.90,0.92")
    p.add_argument("--baseline", metavar="NAME", help="a side whose final accuracy is a target too")
    p.add_argument("--reference", metavar="NAME",
                   help="the side ratios are taken against (default: the first)")
    p.add_argument("--json", metavar="FILE",
                   help="write every run's evaluations and the table to FILE")
    p.add_argument("--keep", metavar="DIR", help="keep run folders under DIR/<side>/seed<S>/")
    p.add_argument("--from", dest="from_dir", metavar="DIR",
                   help="read runs kept in DIR instead of training")
    p.add_argument("--fivec", default=os.path.join(ROOT, "build/bin/5rc"), metavar="PATH",
                   help="the 5rc binary (default build/bin/5rc)")
    a = p.parse_intermixed_args(argv)

    targets = numbers(a.targets, float)
    if any(not 0 < t <= 1 for t in targets):
        p.error("--targets are accuracies in (0, 1], e.g. 0.92")
    if a.eval_every <= 0:
        p.error("--eval-every must be positive")
    if "--eval-every" in extra:
        p.error("give --eval-every before --: every side evaluates at the same cadence")

    if a.from_dir:
        if a.recipes or a.side or a.keep:
            p.error("--from reads kept runs: no sides and no --keep with it")
        names, runs = read_kept(a.from_dir)
        if not names:
            p.error(f"{a.from_dir}: no kept runs")
        for run in runs:
            print(run_line(run, targets), flush=True)
        sides = [{"name": n} for n in names]
    else:
        sides = []
        for recipe in a.recipes:
            name = os.path.splitext(os.path.basename(recipe))[0]
            sides.append(parse_side(name, shlex.quote(recipe), extra))
        for spec in a.side:
            name, eq, value = spec.partition("=")
            if not eq or not name or not value:
                p.error(f"--side {spec!r}: expected NAME=SPEC")
            sides.append(parse_side(name, value, extra))
        names = [s["name"] for s in sides]
        if not sides:
            p.error("no sides: give recipes or --side NAME=SPEC")
        if len(set(names)) != len(names):
            p.error(f"side names must differ: {', '.join(names)} (name them with --side NAME=...)")
    for flag, value in (("--baseline", a.baseline), ("--reference", a.reference)):
        if value is not None and value not in names:
            p.error(f"{flag} {value}: not a side ({', '.join(names)})")
    baseline = a.baseline
    if not targets and baseline is None:
        baseline = a.reference or names[0]

    if not a.from_dir:
        seeds = numbers(a.seeds, int)
        if not seeds:
            p.error("--seeds: at least one seed")
        by_name = {s["name"]: s for s in sides}
        runs = []
        with tempfile.TemporaryDirectory() as tmp:
            folder = a.keep or tmp
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                with open(os.path.join(a.keep, "runs.json"), "w") as f:
                    json.dump({"sides": sides, "seeds": seeds, "eval_every": a.eval_every,
                               "threads": a.threads}, f, indent=2)
                    f.write("\n")
            for seed, name in schedule(names, seeds):
                out = os.path.join(os.path.abspath(folder), name, f"seed{seed}")
                run = train(by_name[name], out, seed, a.threads, a.eval_every, a.fivec)
                if a.keep:
                    run["out"] = out
                runs.append(run)
                print(run_line(run, targets), flush=True)

    result = table(runs, names, targets, baseline, a.reference)
    print()
    for line in format_table(result):
        print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"sides": sides, "targets": targets, "baseline": baseline,
                       "runs": runs, "table": result}, f, indent=2)
            f.write("\n")
    return 1 if any(not r["evals"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
