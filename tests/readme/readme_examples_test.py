#!/usr/bin/env python3
"""The README's examples, run against the bundled model, so that their numbers cannot go stale.

Two kinds are checked:
  - transcripts: a fenced block whose lines start with `$ build/embtool ...` or `$ embtool ...`;
    each command's output must be exactly the lines under it (the block's next `$ ` line or
    its end closes it);
  - the JSON schema lines of "Output" (`similar    {...}`), where `...` stands for any text:
    each must match the --json output of the query named for its command below.

    readme_examples_test.py --embtool build/embtool --readme README.md [--update]

--update rewrites the transcripts in place with the outputs of this build (the schema lines
are prose around real values: a mismatch prints the output to edit them by hand)."""
import argparse
import os
import re
import shlex
import subprocess
import sys

# The query whose --json output each schema line of "Output" shows.
SCHEMA_QUERIES = {
    "similar": ["similar", "cat", "dog"],
    "distance": ["distance", "nephew", "niece"],
    "neighbors": ["neighbors", "dog"],
    "analogy": ["analogy", "king", "woman", "man"],
    "vector": ["vector", "king"],
    "doesnt-match": ["doesnt-match", "breakfast", "cereal", "dinner", "lunch"],
}


def run(embtool, args):
    env = dict(os.environ, EMBTOOL_CACHE="0", NO_COLOR="1")
    env.pop("EMBTOOL_MODEL", None)
    r = subprocess.run([embtool] + args, capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise SystemExit(f"embtool {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def fenced_blocks(lines):
    """(first, last) line indexes of each fenced block's body."""
    blocks, start = [], None
    for i, line in enumerate(lines):
        if line.startswith("```"):
            if start is None:
                start = i + 1
            else:
                blocks.append((start, i))
                start = None
    return blocks


COMMAND = re.compile(r"^\$ (?:build/)?embtool (.*)$")


def transcripts(lines):
    """(command line index, args, expected output lines, end index) of each transcript."""
    found = []
    for first, last in fenced_blocks(lines):
        if not COMMAND.match(lines[first]):
            continue
        i = first
        while i < last:
            m = COMMAND.match(lines[i])
            j = i + 1
            while j < last and not COMMAND.match(lines[j]):
                j += 1
            found.append((i, shlex.split(m.group(1)), lines[i + 1:j], j))
            i = j
    return found


def schema_lines(lines):
    pattern = re.compile(r"^(" + "|".join(map(re.escape, SCHEMA_QUERIES)) + r")\s+(\{.*\})\s*$")
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if m:
            yield i, m.group(1), m.group(2)


def matches(documented, actual):
    regex = ".*?".join(re.escape(part) for part in documented.split("..."))
    return re.fullmatch(regex, actual) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--embtool", required=True)
    ap.add_argument("--readme", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    with open(args.readme, encoding="utf-8") as f:
        lines = f.read().split("\n")

    failures = 0
    found = transcripts(lines)
    if not found:
        raise SystemExit("no `$ embtool ...` transcript in the README: the test would check nothing")
    # From the last to the first, so that rewriting one keeps the earlier indexes valid.
    for command_line, command, expected, end in reversed(found):
        actual = run(args.embtool, command).rstrip("\n").split("\n")
        if actual == [line for line in expected]:
            print(f"ok: embtool {shlex.join(command)}")
            continue
        if args.update:
            lines[command_line + 1:end] = actual
            print(f"updated: embtool {shlex.join(command)}")
            continue
        failures += 1
        print(f"FAILED: embtool {shlex.join(command)} (README line {command_line + 1}) prints:")
        print("\n".join(actual))
        print("where the README shows:")
        print("\n".join(expected))

    seen = set()
    for index, name, documented in schema_lines(lines):
        seen.add(name)
        actual = run(args.embtool, SCHEMA_QUERIES[name] + ["--json"]).strip()
        if matches(documented, actual):
            print(f"ok: schema line of {name}")
        else:
            failures += 1
            print(f"FAILED: the schema line of {name} (README line {index + 1}) does not match; embtool prints:")
            print(actual)
    missing = set(SCHEMA_QUERIES) - seen
    if missing:
        failures += 1
        print(f"FAILED: no schema line for {', '.join(sorted(missing))} in the README")

    if args.update:
        with open(args.readme, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    if failures:
        sys.exit(f"{failures} README example(s) do not match this build")
    print("every README example matches")


if __name__ == "__main__":
    main()
