#!/usr/bin/env python3
"""bench/time_to_accuracy.py without training: evaluation logs with known
curves, written by fake sides (shell commands) or laid out as --keep leaves
them, read back through the tool.

    time_to_accuracy_test.py [SOURCE_DIR]
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

SOURCE = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else
                         os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "bench"))
import time_to_accuracy as tta  # noqa: E402


def line(step, seconds, accuracy, split="test"):
    return {"step": step, "epoch": step / 100, "train_seconds": seconds, "split": split,
            "accuracy": accuracy}


def write_log(path, lines, final=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for i, l in enumerate(lines):
            record = dict(l)
            if final and i + 1 == len(lines):
                record["final"] = True
            f.write(json.dumps(record) + "\n")


def run_tool(args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = tta.main(args)
    return status, out.getvalue()


class Reading(unittest.TestCase):
    def test_time_to_target_is_the_first_line_at_or_above_it(self):
        evals = [line(100, 10, 0.80), line(200, 20, 0.91), line(300, 30, 0.905), line(400, 40, 0.93)]
        self.assertEqual(tta.time_to(evals, 0.80), 10)
        self.assertEqual(tta.time_to(evals, 0.905), 20)
        self.assertEqual(tta.time_to(evals, 0.91), 20)  # at, not only above
        self.assertEqual(tta.time_to(evals, 0.92), 40)
        self.assertIsNone(tta.time_to(evals, 0.94))
        self.assertEqual(tta.final_accuracy(evals), 0.93)
        self.assertEqual(tta.train_time(evals), 40)

    def test_a_line_cut_by_a_kill_is_skipped(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "eval.jsonl")
            with open(path, "w") as f:
                f.write(json.dumps(line(100, 10, 0.5)) + "\n")
                f.write('{"step": 200, "epoch": 2.0, "train_sec')
            self.assertEqual([e["step"] for e in tta.read_eval_log(path)], [100])

    def test_medians_count_a_seed_that_never_reached_as_infinitely_slow(self):
        self.assertEqual(tta.median_time([30, 10, 20]), 20)
        self.assertEqual(tta.median_time([10, None, 20]), 20)
        self.assertIsNone(tta.median_time([10, None, None]))
        self.assertIsNone(tta.median_time([10, None]))  # half never reached
        self.assertEqual(tta.median_time([10, 30]), 20)
        self.assertIsNone(tta.median_time([]))

    def test_schedule_is_seed_major_and_rotates_the_first_side(self):
        self.assertEqual(tta.schedule(["a", "b", "c"], [0, 1, 2, 3]),
                         [(0, "a"), (0, "b"), (0, "c"), (1, "b"), (1, "c"), (1, "a"),
                          (2, "c"), (2, "a"), (2, "b"), (3, "a"), (3, "b"), (3, "c")])

    def test_table_medians_counts_and_ratios(self):
        runs = [
            {"side": "ref", "seed": 0, "evals": [line(100, 10, 0.85), line(200, 20, 0.90), line(300, 30, 0.92)]},
            {"side": "ref", "seed": 1, "evals": [line(100, 12, 0.86), line(200, 24, 0.91), line(300, 36, 0.915)]},
            {"side": "ref", "seed": 2, "evals": [line(100, 11, 0.84), line(200, 22, 0.89), line(300, 33, 0.93)]},
            {"side": "fast", "seed": 0, "evals": [line(100, 5, 0.90), line(200, 10, 0.91)]},
            {"side": "fast", "seed": 1, "evals": [line(100, 6, 0.89), line(200, 12, 0.92)]},
            {"side": "fast", "seed": 2, "evals": []},  # failed
        ]
        t = tta.table(runs, ["ref", "fast"], [0.90, 0.92])
        ref, fast = t["rows"]["ref"], t["rows"]["fast"]
        self.assertEqual(t["columns"], ["90.00%", "92.00%"])
        self.assertEqual(ref["times"]["90.00%"], {"median": 24, "reached": 3, "seeds": 3})
        self.assertEqual(ref["times"]["92.00%"], {"median": 33, "reached": 2, "seeds": 3})
        self.assertEqual(fast["times"]["90.00%"], {"median": 12, "reached": 2, "seeds": 3})
        self.assertEqual(fast["times"]["92.00%"], {"median": None, "reached": 1, "seeds": 3})
        self.assertAlmostEqual(ref["final_accuracy"], 0.92)
        self.assertEqual(ref["train_seconds"], 33)
        self.assertAlmostEqual(fast["final_accuracy"], (0.91 + 0.92) / 2)
        self.assertEqual(fast["failed"], 1)
        self.assertEqual(t["ratios"]["fast"]["90.00%"], 2.0)
        self.assertIsNone(t["ratios"]["fast"]["92.00%"])
        text = "\n".join(tta.format_table(t))
        self.assertIn("24.0 (3/3)", text)
        self.assertIn("— (1/3)", text)
        self.assertIn("ref/fast", text)
        self.assertIn("2.00x", text)

    def test_the_baseline_final_accuracy_is_read_symmetrically(self):
        # The baseline peaks before its end: its final accuracy (0.91) is
        # first reached at 20 s of its 40 s run.
        runs = [
            {"side": "base", "seed": 0, "evals": [line(100, 10, 0.88), line(200, 20, 0.91), line(300, 30, 0.915), line(400, 40, 0.91)]},
            {"side": "hot", "seed": 0, "evals": [line(100, 4, 0.90), line(200, 8, 0.912), line(300, 12, 0.92)]},
        ]
        t = tta.table(runs, ["base", "hot"], [], baseline="base")
        col = "base final"
        self.assertEqual(t["columns"], [col])
        self.assertEqual(t["rows"]["base"]["times"][col]["median"], 20)
        self.assertEqual(t["rows"]["hot"]["times"][col]["median"], 8)
        self.assertEqual(t["ratios"]["hot"][col], 20 / 8)
        self.assertEqual(t["baseline"]["train_seconds"], 40)
        self.assertEqual(t["baseline"]["first_reach_seconds"], 20)
        self.assertEqual(t["baseline"]["speedups_against_train_seconds"]["hot"], 40 / 8)
        text = "\n".join(tta.format_table(t))
        self.assertIn("median train time 40.0 s", text)
        self.assertIn("first reached at 20.0 s", text)
        self.assertIn("hot 5.00x", text)

    def test_the_baseline_target_is_per_seed(self):
        runs = [
            {"side": "base", "seed": 0, "evals": [line(100, 10, 0.90)]},
            {"side": "base", "seed": 1, "evals": [line(100, 10, 0.95)]},
            {"side": "other", "seed": 0, "evals": [line(100, 5, 0.92)]},
            {"side": "other", "seed": 1, "evals": [line(100, 5, 0.92)]},
        ]
        t = tta.table(runs, ["base", "other"], [], baseline="base", reference="base")
        self.assertEqual(t["rows"]["other"]["times"]["base final"],
                         {"median": None, "reached": 1, "seeds": 2})


class Running(unittest.TestCase):
    """Fake sides: shell commands that write a canned eval.jsonl."""

    def fake_side(self, tmp, name, seconds_per_eval):
        script = os.path.join(tmp, f"{name}.py")
        with open(script, "w") as f:
            f.write(
                "import json, os, sys\n"
                "out, seed, threads, every = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])\n"
                "with open(os.path.join(tmp_order, 'order.txt'), 'a') as o:\n"
                f"    o.write('{name} %d %s %d\\n' % (seed, threads, every))\n"
                "with open(os.path.join(out, 'eval.jsonl'), 'w') as f:\n"
                "    for i, acc in enumerate([0.80, 0.90, 0.92 + 0.001 * seed]):\n"
                "        f.write(json.dumps({'step': every * (i + 1), 'epoch': i + 1.0,\n"
                f"            'train_seconds': {seconds_per_eval} * (i + 1), 'split': 'test',\n"
                "            'accuracy': acc}) + '\\n')\n".replace("tmp_order", repr(tmp)))
        return f"{name}={sys.executable} {script} {{out}} {{seed}} {{threads}} {{eval_every}}"

    def test_sides_run_in_rotating_order_and_kept_runs_read_back(self):
        with tempfile.TemporaryDirectory() as tmp:
            keep = os.path.join(tmp, "kept")
            report = os.path.join(tmp, "report.json")
            args = ["--side", self.fake_side(tmp, "slow", 10), "--side", self.fake_side(tmp, "quick", 4),
                    "--seeds", "0,1,2", "--eval-every", "50", "--threads", "3",
                    "--targets", "0.85,0.95", "--keep", keep, "--json", report]
            status, out = run_tool(args)
            self.assertEqual(status, 0, out)
            with open(os.path.join(tmp, "order.txt")) as f:
                order = f.read().split("\n")
            self.assertEqual(order[:6], ["slow 0 3 50", "quick 0 3 50", "quick 1 3 50",
                                         "slow 1 3 50", "slow 2 3 50", "quick 2 3 50"])
            self.assertIn("seed 1  quick: final 92.10% test in 12.0 s train", out)
            self.assertIn("85.00% at 8.0, 95.00% at —", out)
            self.assertTrue(os.path.exists(os.path.join(keep, "quick", "seed2", "eval.jsonl")))
            self.assertTrue(os.path.exists(os.path.join(keep, "runs.json")))
            with open(report) as f:
                data = json.load(f)
            self.assertEqual(len(data["runs"]), 6)
            table = data["table"]
            self.assertEqual(table["rows"]["slow"]["times"]["85.00%"]["median"], 20)
            self.assertEqual(table["rows"]["quick"]["times"]["85.00%"]["median"], 8)
            self.assertEqual(table["ratios"]["quick"]["85.00%"], 2.5)
            self.assertEqual(table["rows"]["quick"]["times"]["95.00%"]["reached"], 0)
            # --from recomputes the same table from the kept logs.
            status, again = run_tool(["--from", keep, "--targets", "0.85,0.95"])
            self.assertEqual(status, 0, again)
            self.assertEqual(again.split("\n\n", 1)[1], out.split("\n\n", 1)[1])
            # ... and another reading of them: quick as the reference, slow's
            # final accuracy as the target.
            status, other = run_tool(["--from", keep, "--baseline", "slow", "--reference", "quick"])
            self.assertEqual(status, 0, other)
            self.assertIn("quick/slow", other)
            self.assertIn("slow: median train time 30.0 s", other)

    def test_a_failing_side_is_reported_and_sets_the_exit_status(self):
        with tempfile.TemporaryDirectory() as tmp:
            status, out = run_tool(["--side", self.fake_side(tmp, "good", 1),
                                    "--side", "bad=exit 3", "--targets", "0.9"])
            self.assertEqual(status, 1)
            self.assertIn("seed 0  bad: failed (exit status 3", out)
            self.assertIn("good/bad", out)

    def test_the_from_folder_without_a_manifest(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_log(os.path.join(tmp, "b", "seed0", "eval.jsonl"), [line(10, 1, 0.5), line(20, 2, 0.9)])
            write_log(os.path.join(tmp, "a", "seed0", "eval.jsonl"), [line(10, 3, 0.9)])
            status, out = run_tool(["--from", tmp, "--targets", "0.9"])
            self.assertEqual(status, 0, out)
            self.assertIn("a/b", out)  # sorted names: a is the reference
            self.assertIn("1.50x", out)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
