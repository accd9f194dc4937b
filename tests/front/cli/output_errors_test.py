#!/usr/bin/env python3
"""Output that cannot be written is an error: stdout on a full device, a closed stdout, and a
pipe whose reader went away while SIGPIPE is ignored each give one line on stderr and exit 5
(the exit code for I/O), never exit 0 with the answer lost.

    output_errors_test.py --embtool BUILD/embtool --model data/model.bin
"""
import argparse
import os
import signal
import subprocess
import sys

# Small answers that fit in any buffer (lost only at the final flush) and one that does not.
COMMANDS = [["info"], ["--json", "neighbors", "king", "--k", "3"], ["vector", "cat"],
            ["--tsv", "neighbors", "king", "--k", "40000"]]


def run(argv, stdout, preexec=None):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=60, restore_signals=False, preexec_fn=preexec)


def expect_io_error(what, result, failures):
    err = result.stderr.decode(errors="replace")
    if result.returncode != 5 or len(err.splitlines()) != 1 or "cannot write the output" not in err:
        failures.append(f"{what}: exit {result.returncode}, stderr {err!r} (wanted exit 5 and one line)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    failures = []
    for command in COMMANDS:
        argv = [args.embtool, "-m", args.model, *command]
        name = " ".join(command)
        if os.path.exists("/dev/full"):
            with open("/dev/full", "wb") as full:
                expect_io_error(f"{name} > /dev/full", run(argv, full), failures)
        else:
            print("skipped /dev/full: this system has none")
        # A closed standard output (`>&-`).
        expect_io_error(f"{name} >&-", run(argv, None, preexec=lambda: os.close(1)), failures)
        # A reader that went away, SIGPIPE ignored: writes fail with EPIPE.
        read_end, write_end = os.pipe()
        os.close(read_end)
        ignore_sigpipe = lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        expect_io_error(f"{name} | (closed)", run(argv, write_end, preexec=ignore_sigpipe), failures)
        os.close(write_end)
        # And the same command to a working pipe still succeeds.
        ok = run(argv, subprocess.PIPE)
        if ok.returncode != 0 or not ok.stdout:
            failures.append(f"{name}: exit {ok.returncode} on a working pipe")
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(COMMANDS)} commands x 3 unwritable outputs: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
