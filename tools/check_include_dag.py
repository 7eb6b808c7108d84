#!/usr/bin/env python3
"""Checks that folders include each other without a cycle.

Every `#include "..."` of a project header is an edge from the including
file's folder to the header's folder. Folders are compiler/<name> (the
compiler's layers: driver, study, pipeline, sema, ir, ...) and the other
top-level source folders (passes, runtime, editor, methods). A cycle means
two folders can no longer be understood, built or tested one before the
other, so it fails the check and is printed with one include for each edge.

Usage: check_include_dag.py [REPO_ROOT] [--print]
  --print  also lists every folder edge, in an order that respects them.
"""

import re
import sys
from pathlib import Path

SOURCE_ROOTS = ("compiler", "passes", "runtime", "editor", "methods")
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc", ".def", ".inc"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def folder_of(relative_path):
    """The graph node a repository-relative path belongs to."""
    parts = Path(relative_path).parts
    if parts[0] == "compiler" and len(parts) > 2:
        return "compiler/" + parts[1]
    return parts[0]


def include_edges(root):
    """{(from_folder, to_folder): an example 'file: include'}."""
    edges = {}
    for top in SOURCE_ROOTS:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            source = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            for target in INCLUDE.findall(text):
                if target.split("/")[0] not in SOURCE_ROOTS:
                    continue  # a system header or a path relative to the file
                edge = (folder_of(source), folder_of(target))
                if edge[0] != edge[1]:
                    edges.setdefault(edge, f'{source}: #include "{target}"')
    return edges


def strongly_connected(nodes, successors):
    """Tarjan's algorithm: the strongly connected components, iteratively."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(successors.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(successors.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return components


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    root = Path(args[0] if args else Path(__file__).resolve().parent.parent).resolve()
    edges = include_edges(root)
    successors, nodes = {}, set()
    for source, target in edges:
        successors.setdefault(source, set()).add(target)
        nodes.update((source, target))
    components = strongly_connected(nodes, successors)

    if "--print" in argv:
        # Tarjan emits components dependencies first.
        order = {node: i for i, comp in enumerate(components) for node in comp}
        for (source, target), example in sorted(edges.items(), key=lambda e: -order[e[0][0]]):
            print(f"{source} -> {target}    ({example})")

    cycles = [c for c in components if len(c) > 1]
    for component in cycles:
        print("include cycle between folders: " + ", ".join(component), file=sys.stderr)
        for (source, target), example in sorted(edges.items()):
            if source in component and target in component:
                print(f"  {source} -> {target}: {example}", file=sys.stderr)
    if not cycles:
        print(f"{len(nodes)} folders, {len(edges)} include edges, no cycle")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
