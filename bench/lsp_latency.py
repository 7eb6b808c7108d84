#!/usr/bin/env python3
"""Latency of 5rc-lsp as an editor sees it, over the real protocol on pipes.

Generates a 2,000-line recipe file (200 recipes extending the Fashion-MNIST
baseline), then prints p50/p95 of
  * start: process spawn -> initialize reply (and `initialized` sent),
  * didChange -> publishDiagnostics for that version (one character edited),
  * the same while typing (a character inserted, then deleted: the text
    after the edit moves),
  * completion request -> reply, at a method position.

  bench/lsp_latency.py [--server build/bin/5rc-lsp] [--baseline OTHER_5RC_LSP] [--runs 40]

With --baseline, a second server is measured in the same run and the ratios
of the medians are printed.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def recipe_text(lines_wanted):
    out = [f'import "{ROOT}/recipes/fmnist/baseline.5r"', ""]
    i = 0
    while len(out) + 10 <= lines_wanted:
        out += [
            f"recipe r{i} extends fmnist_baseline {{",
            "  budget 2 epochs",
            "  batch_size 128",
            "  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 50%)",
            "  reorder derived_data static domain channels_last",
            "  replace training_objective static domain label_smoothing(0.1)",
            "  retrofit model_parameters dynamic domain ema(half_life: 50 steps)",
            "  reorder model_parameters dynamic domain layer_freezing(start: 60%, end: 90%)",
            "}",
            "",
        ]
        i += 1
    out += ["// padding"] * (lines_wanted - len(out))
    return "\n".join(out) + "\n"


class Client:
    def __init__(self, server, stdlib):
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(
            [server], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=dict(os.environ, FIVER_STDLIB=stdlib))
        self.next_id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed its output")
            line = line.strip()
            if not line:
                break
            key, _, value = line.partition(b":")
            if key.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            msg = self.read()
            if msg.get("id") == self.next_id and "method" not in msg:
                return msg

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version):
        while True:
            msg = self.read()
            if msg.get("method") == "textDocument/publishDiagnostics":
                p = msg["params"]
                if p["uri"] == uri and p.get("version", version) == version:
                    return p

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=10)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def show(name, ms):
    print(f"{name:<34} p50 {pct(ms, 0.5):7.1f} ms   p95 {pct(ms, 0.95):7.1f} ms   (n={len(ms)})")


def measure(server, stdlib, text, runs):
    """Returns (start ms list, first-check ms, didChange ms list, completion ms list)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "large.5r"
        path.write_text(text)
        uri = path.as_uri()

        starts = []
        for _ in range(max(5, runs // 4)):
            c = Client(server, stdlib)
            c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
            c.notify("initialized", {})
            starts.append((time.perf_counter() - c.start) * 1000)
            c.close()

        c = Client(server, stdlib)
        c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        c.notify("initialized", {})
        version = 1
        t = time.perf_counter()
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "fiver", "version": version, "text": text}})
        first = c.wait_diagnostics(uri, version)
        open_ms = (time.perf_counter() - t) * 1000
        if first["diagnostics"]:
            raise SystemExit(f"generated file has diagnostics: {first['diagnostics'][:2]}")

        # Edit line 3's `budget 2` <-> `budget 3`: a real change each time.
        edit_line = 3
        changes = []
        for i in range(runs):
            version += 1
            digit = "3" if i % 2 == 0 else "2"
            t = time.perf_counter()
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": edit_line, "character": 9},
                                              "end": {"line": edit_line, "character": 10}},
                                    "text": digit}]})
            c.wait_diagnostics(uri, version)
            changes.append((time.perf_counter() - t) * 1000)

        # Typing: insert a `1` (`budget 12 epochs`), then delete it, so the
        # rest of the file moves by a byte each time.
        typing = []
        for i in range(runs):
            version += 1
            end = 9 if i % 2 == 0 else 10
            t = time.perf_counter()
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": edit_line, "character": 9},
                                              "end": {"line": edit_line, "character": end}},
                                    "text": "1" if i % 2 == 0 else ""}]})
            c.wait_diagnostics(uri, version)
            typing.append((time.perf_counter() - t) * 1000)

        # Completion of a method name in a triple (line 5: `... domain progressive_resize`).
        completions = []
        for _ in range(runs):
            t = time.perf_counter()
            reply = c.request("textDocument/completion", {
                "textDocument": {"uri": uri},
                "position": {"line": 5, "character": 42}})
            completions.append((time.perf_counter() - t) * 1000)
        items = reply["result"]["items"] if isinstance(reply["result"], dict) else reply["result"]
        if not items:
            raise SystemExit("completion returned nothing")
        c.close()
    return starts, open_ms, changes, completions, typing


def report(server, results):
    starts, open_ms, changes, completions, typing = results
    print(server)
    show("  start -> initialized", starts)
    print(f"{'  didOpen -> publishDiagnostics':<34} {open_ms:7.1f} ms (first check)")
    show("  didChange -> publishDiagnostics", changes)
    show("  typing (text after it moves)", typing)
    show("  completion", completions)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=str(ROOT / "build/bin/5rc-lsp"))
    ap.add_argument("--baseline", help="another 5rc-lsp to measure in the same run, for ratios")
    ap.add_argument("--stdlib", default=str(ROOT / "stdlib"))
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--lines", type=int, default=2000)
    args = ap.parse_args()

    text = recipe_text(args.lines)
    print(f"{args.lines}-line recipe, {args.runs} edits and completions")
    for server in filter(None, (args.server, args.baseline)):
        measure(server, args.stdlib, text, 2)  # warm the page cache: first runs are slower
    ours = measure(args.server, args.stdlib, text, args.runs)
    report(args.server, ours)
    if args.baseline:
        base = measure(args.baseline, args.stdlib, text, args.runs)
        report(args.baseline, base)
        for name, i in (("didChange -> publishDiagnostics", 2), ("typing", 4), ("completion", 3)):
            print(f"{name} p50 ratio baseline/server: "
                  f"{pct(base[i], 0.5) / pct(ours[i], 0.5):.2f}x")


if __name__ == "__main__":
    main()
