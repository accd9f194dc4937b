#!/usr/bin/env python3
"""Checks the include graph of src/ against the layers the build declares.

The layers and what each links come from CMakeLists.txt (embtool_layer(TARGET DIR) and
target_link_libraries(TARGET PUBLIC ...)). Each file of src/ belongs to the layer whose
folder holds it. The check fails on:
  - an include of a layer's header from a layer that does not link it (an upward edge, or one
    between two layers side by side);
  - an include that does not name its layer's folder ("../x.hpp", or a bare name that
    happens to resolve next to the file);
  - a circle among the layers, or among the units of src/ (a unit: x.hpp with x.cpp).

    python3 scripts/check-layers.py [--repo DIR] [--graph]
"""
import argparse
import pathlib
import re
import sys


def read_layers(cmake_text):
    dirs = dict(re.findall(r"embtool_layer\((\w+)\s+([\w/]+)", cmake_text))
    links = {target: set() for target in dirs}
    for target, body in re.findall(r"target_link_libraries\((\w+)\s+([^)]*)\)", cmake_text):
        if target not in dirs:
            continue
        public = re.split(r"\bPRIVATE\b|\bINTERFACE\b", body.split("PUBLIC", 1)[-1])[0]
        links[target] |= {word for word in public.split() if word in dirs}
    return dirs, links


def closure(links, target):
    seen, todo = set(), [target]
    while todo:
        for link in links[todo.pop()]:
            if link not in seen:
                seen.add(link)
                todo.append(link)
    return seen


def find_circle(graph):
    """A circle in `graph` (node -> set of nodes) as a list of nodes, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    parser.add_argument("--graph", action="store_true", help="print the layer graph and exit")
    args = parser.parse_args()
    dirs, links = read_layers((args.repo / "CMakeLists.txt").read_text())
    by_dir = sorted(dirs.items(), key=lambda item: -len(item[1]))

    def layer_of(relative):  # a path under src/
        for target, folder in by_dir:
            if relative == folder or relative.startswith(folder + "/"):
                return target
        return None

    if args.graph:
        for target in sorted(dirs, key=lambda t: len(closure(links, t))):
            print(f"{dirs[target]:12} links {', '.join(sorted(dirs[l] for l in links[target])) or '-'}")
        return 0

    problems = []
    circle = find_circle(links)
    if circle:
        problems.append("the layers link in a circle: " + " -> ".join(circle))
    src = args.repo / "src"
    units = {}
    files = [p for p in src.rglob("*") if p.suffix in (".hpp", ".cpp", ".inc", ".h")]
    for path in sorted(files):
        relative = path.relative_to(src).as_posix()
        layer = layer_of(relative)
        if layer is None:
            problems.append(f"src/{relative}: in no layer's folder")
            continue
        allowed = closure(links, layer) | {layer}
        unit = relative.rsplit(".", 1)[0]
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
            if not match:
                continue
            included = match.group(1)
            where = f"src/{relative}:{number}: #include \"{included}\""
            target = layer_of(included)
            if ".." in included.split("/") or target is None or not (src / included).exists():
                problems.append(f"{where} does not name a header by its layer's folder")
                continue
            if target not in allowed:
                problems.append(f"{where}: {dirs[layer]} does not link {dirs[target]}")
            included_unit = included.rsplit(".", 1)[0]
            if included_unit != unit:
                units.setdefault(unit, set()).add(included_unit)
    circle = find_circle(units)
    if circle:
        problems.append("units include each other in a circle: " + " -> ".join(circle))
    for problem in problems:
        print(problem)
    print(f"{len(files)} files in {len(dirs)} layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
