#!/usr/bin/env python3
"""The longest functions and files under the given paths, from Universal Ctags.

  tools/largest_functions.py [--top N] PATH...

Prints the N longest functions (lines from signature to closing brace, lambdas
included) and the N longest files, so that a refactoring can state its sizes
before and after.
"""
import argparse
import json
import pathlib
import subprocess
import sys

SOURCE_SUFFIXES = {".cpp", ".h", ".hpp", ".cc"}


def source_files(paths):
    for p in map(pathlib.Path, paths):
        if p.is_file():
            yield p
        else:
            yield from sorted(f for f in p.rglob("*") if f.suffix in SOURCE_SUFFIXES)


def functions(files):
    out = subprocess.run(
        ["ctags", "--output-format=json", "--fields=+ne", "--c++-kinds=f", "-o", "-"]
        + [str(f) for f in files],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("_type") == "tag" and "end" in tag:
            scope = tag.get("scope", "")
            name = f"{scope}::{tag['name']}" if scope else tag["name"]
            yield tag["end"] - tag["line"] + 1, f"{tag['path']}:{tag['line']}", name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    files = list(source_files(args.paths))
    if not files:
        sys.exit("largest_functions: no C++ files under " + " ".join(args.paths))
    print("longest functions:")
    for length, where, name in sorted(functions(files), reverse=True)[: args.top]:
        print(f"  {length:5d} lines  {where}  {name}")
    print("longest files:")
    sizes = sorted(((sum(1 for _ in open(f, encoding="utf-8", errors="replace")), f)
                    for f in files), reverse=True)
    for length, f in sizes[: args.top]:
        print(f"  {length:5d} lines  {f}")


if __name__ == "__main__":
    main()
