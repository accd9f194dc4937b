#!/usr/bin/env python3
"""Drives `embtool repl` (and `embtool` alone) through a pseudo-terminal, as a person would:
a typed query is answered, Tab completes a partial word, the arrow key recalls history,
quit leaves with exit 0. Also: a long evaluation draws a progress bar on a terminal, and none
when stderr is a pipe.

    repl_test.py --embtool build/embtool --model data/model.bin
"""
import argparse
import os
import pty
import select
import subprocess
import sys
import tempfile
import time


def read_until(fd, wanted, timeout=20.0):
    """Everything the terminal shows until `wanted` appears (or the time is up)."""
    seen = b""
    deadline = time.time() + timeout
    while wanted.encode() not in seen and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode("utf-8", "replace")


def session(argv, steps):
    """Runs argv on a pty; each step sends bytes and waits for text. Returns (failures, rc)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    failures = []
    out = read_until(fd, "embtool> ")
    if "embtool> " not in out:
        failures.append(f"no prompt; the terminal showed {out[-500:]!r}")
    for send, expect, what in steps:
        os.write(fd, send.encode())
        out = read_until(fd, expect)
        if expect not in out:
            failures.append(f"{what}: sent {send!r}, expected {expect!r}, the terminal showed {out[-500:]!r}")
    os.write(fd, b"quit\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return failures, os.waitstatus_to_exitcode(status)


def progress_bar_checks(exe, model):
    """eval on a terminal shows 'evaluating [...]'; through pipes stderr stays empty."""
    failures = []
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(": royalty\n" + "man king woman queen\n" * 3000)
        questions = f.name
    argv = [exe, "-m", model, "eval", "analogies", "--method", "mul", questions]
    try:
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(argv[0], argv)
        out = read_until(fd, "Total accuracy", timeout=120)
        os.waitpid(pid, 0)
        os.close(fd)
        if "evaluating [" not in out or "questions" not in out:
            failures.append(f"no progress bar on a terminal: {out[-300:]!r}")
        if "Total accuracy" not in out:
            failures.append(f"no result on a terminal: {out[-300:]!r}")
        piped = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if piped.returncode != 0 or piped.stderr or "Total accuracy" not in piped.stdout:
            failures.append(f"through pipes: exit {piped.returncode}, stderr {piped.stderr[:300]!r}")
    finally:
        os.unlink(questions)
    return failures


def history_and_banner_checks(exe, model):
    """The history file in $XDG_STATE_HOME/embtool keeps lines across sessions; the greeting is on
    a terminal only, on stderr: piped output holds the answers alone."""
    failures = []
    history = os.path.join(os.environ["XDG_STATE_HOME"], "embtool", "history")
    if not os.path.isfile(history) or "neighbors" not in open(history, errors="replace").read():
        failures.append(f"no history kept in {history}")
    # A new session recalls the last session's last line with the up arrow.
    fresh, _ = session([exe, "-m", model, "repl"], [("\x1b[A", "quit", "the up arrow recalls the previous session's line"),
                                                        ("\x15", "", "the recalled line cleared")])
    failures += fresh
    piped = subprocess.run([exe, "-m", model, "repl"], input="similar cat dog\n", capture_output=True, text=True,
                           timeout=60)
    if piped.returncode != 0 or "words x" in piped.stdout + piped.stderr or "similarity" not in piped.stdout:
        failures.append(f"piped repl: exit {piped.returncode}, stdout {piped.stdout[:200]!r}, stderr {piped.stderr[:200]!r}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    exe = os.path.abspath(args.embtool)
    state = tempfile.TemporaryDirectory()  # the shell's history goes here, not into ~/.local/state
    os.environ["XDG_STATE_HOME"] = state.name
    steps = [
        ("neighbors king --k 3\r", "queen", "a typed query is answered"),
        ("neighbors queensl\t", "and ", "Tab completes a word with a unique prefix (the terminal writes the rest)"),
        ("--k 2\r", "rank", "the completed line runs"),
        ("neig\t", "hbors ", "Tab completes a command"),
        ("\x15neighbrs king\r", "error:", "a bad line reports an error and the shell goes on"),
        ("\x1b[A", "neighbrs king", "the up arrow recalls the last line"),
        ("\x15help\r", "Tab completes", "help"),
    ]
    total = 0
    failed = []
    for argv in ([exe, "-m", args.model, "repl"], [exe, "-m", args.model]):
        # `embtool -m MODEL` with no command starts the shell too, on a terminal.
        failures, rc = session(argv, steps)
        total += len(steps) + 1
        failed += [f"{' '.join(argv[3:]) or '(no command)'}: {f}" for f in failures]
        if rc != 0:
            failed.append(f"{argv}: exit {rc} after quit")
    total += 1
    failed += progress_bar_checks(exe, args.model)
    total += 3
    failed += history_and_banner_checks(exe, args.model)
    for f in failed:
        print("FAIL", f)
    print(f"{total - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
