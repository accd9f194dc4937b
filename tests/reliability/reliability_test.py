#!/usr/bin/python3
"""What must hold at the edges: writes that cannot lose data, files of every scale.

  kill      `convert` killed with SIGKILL at random moments: the output is the old file or
            the whole new one, never a part, and no temporary file is left behind
  sharing   one store answered by several processes at once: identical answers
  shrunk    a store truncated by another process while embtool serves it: one line, exit 4
  big       a word2vec binary file over 4 GiB (rows past every 32-bit offset), made sparse
  many      10 million short words: loads, and peak memory stays proportional to the file
  limit     --limit larger than the file: every word, no complaint

    reliability_test.py --embtool build/embtool [--only kill,sharing,...]
"""
import argparse
import json
import os
import random
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time


def run(embtool, *args, timeout=300):
    return subprocess.run([embtool, *args], capture_output=True, timeout=timeout)


def sanitized(embtool):
    ldd = subprocess.run(["ldd", embtool], capture_output=True, text=True)
    return "libasan" in ldd.stdout


def write_binary(path, count, dim, seed):
    rng = random.Random(seed)
    with open(path, "wb") as f:
        f.write(f"{count} {dim}\n".encode())
        chunk = []
        for i in range(count):
            chunk.append(f"w{i} ".encode() + struct.pack(f"<{dim}f", *(rng.gauss(0, 1) for _ in range(dim))) + b"\n")
            if len(chunk) == 1000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


def check_kill(embtool, tmp, failures):
    source = os.path.join(tmp, "source.bin")
    write_binary(source, 60000, 100, 1)
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    for target_name in ("out.emb", "out.txt"):
        target = os.path.join(tmp, target_name)
        start = time.time()
        run(embtool, "-q", "convert", source, target)  # how long a whole conversion takes
        full = time.time() - start
        for attempt in range(12):
            with open(target, "wb") as f:
                f.write(b"OLD CONTENT")
            p = subprocess.Popen([embtool, "-q", "convert", "--force", source, target],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, full * 1.1))
            p.send_signal(signal.SIGKILL)
            p.wait()
            with open(target, "rb") as f:
                head = f.read(11)
            if head == b"OLD CONTENT" and os.path.getsize(target) == 11:
                outcomes["old"] += 1
            else:
                info = run(embtool, "-m", target, "--json", "info")
                if info.returncode != 0 or b'"words":60000' not in info.stdout:
                    failures.append(f"kill: {target_name} after SIGKILL is neither the old file nor a whole "
                                    f"new one: {info.stderr[:200]!r}")
                outcomes["new"] += 1
            strays = [n for n in os.listdir(tmp) if ".tmp" in n]
            if strays:
                failures.append(f"kill: temporary files left behind: {strays}")
    print(f"kill: {sum(outcomes.values())} conversions killed: {outcomes['old']} left the old file, "
          f"{outcomes['new']} had finished; none partial")


def check_sharing(embtool, tmp, failures, model):
    store = os.path.join(tmp, "shared.emb")
    run(embtool, "convert", "--force", model, store, "--dtype", "i8")
    words = ["king", "queen", "river", "music", "france", "dog"]
    procs = [subprocess.Popen([embtool, "-m", store, "--json", "neighbors", *words, "--k", "20"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(6)]
    outputs = [p.communicate(timeout=120) for p in procs]
    if any(p.returncode != 0 for p in procs) or len({o for o, _ in outputs}) != 1:
        failures.append("sharing: processes reading one store at once gave different answers")
    print(f"sharing: {len(procs)} processes at once, {len({o for o, _ in outputs})} distinct answer(s)")


def check_shrunk(embtool, tmp, failures, model):
    store = os.path.join(tmp, "shrunk.emb")
    run(embtool, "convert", "--force", model, store)
    p = subprocess.Popen([embtool, "-m", store, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdin.write(b"neighbors king --k 2\n")
    p.stdin.flush()
    time.sleep(1.0)  # answered from the whole store
    os.truncate(store, 4096)
    p.stdin.write(b"neighbors queen --k 2\n")
    p.stdin.flush()
    out, err = p.communicate(timeout=60)
    lines = err.decode(errors="replace").strip().splitlines()
    if p.returncode != 4 or len(lines) != 1 or "shrunk.emb" not in lines[0] or b"rank" not in out:
        failures.append(f"shrunk: expected an answer, then one line and exit 4; got exit {p.returncode}, "
                        f"stderr {lines!r}")
    print(f"shrunk: store truncated under a running shell: exit {p.returncode}, {lines[:1]}")


def check_big(embtool, tmp, failures):
    # 1100 words of dimension 1,000,000 (4.4 GB): zeros everywhere but one value a row, so the
    # file is sparse and costs no disk; rows 1074 and on start past 4 GiB.
    path = os.path.join(tmp, "big.bin")
    count, dim = 1100, 1_000_000
    with open(path, "wb") as f:
        f.write(f"{count} {dim}\n".encode())
        for i in range(count):
            f.write(f"w{i} ".encode())
            start = f.tell()
            f.seek(start + 4 * (i % dim))
            f.write(struct.pack("<f", 1.0 + (i % 3)))
            f.seek(start + 4 * dim)
            f.write(b"\n")
    size = os.path.getsize(path)
    info = run(embtool, "-m", path, "--json", "info")
    ok = info.returncode == 0 and f'"words":{count}'.encode() in info.stdout and f'"dim":{dim}'.encode() in info.stdout
    vector = run(embtool, "-m", path, "--json", "vector", "w1099")
    # w1099's one value, 2.0, sits at index 1099, past 4 GiB into the file
    values = json.loads(vector.stdout)["vector"] if vector.returncode == 0 else []
    if not ok or len(values) != dim or values[1099] != 2.0 or sum(values) != 2.0:
        failures.append(f"big: a {size} byte file: info exit {info.returncode} {info.stderr[:200]!r}, "
                        f"vector exit {vector.returncode}")
    os.unlink(path)
    print(f"big: {size / 2**30:.2f} GiB binary file read, {count} x {dim}")


def check_many(embtool, tmp, failures):
    path = os.path.join(tmp, "many.bin")
    count = 10_000_000
    with open(path, "wb") as f:
        f.write(f"{count} 1\n".encode())
        one = struct.pack("<f", 0.5)
        for base in range(0, count, 100000):
            f.write(b"".join(b"%x " % i + one + b"\n" for i in range(base, base + 100000)))
    size = os.path.getsize(path)
    # Peak memory of embtool alone: measured by a fresh process that has no other child.
    measure = ("import resource, subprocess, sys; "
               "p = subprocess.run(sys.argv[1:], capture_output=True); "
               "sys.stdout.buffer.write(p.stdout); "
               "print(); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")
    info = subprocess.run([sys.executable, "-c", measure, embtool, "-m", path, "--json", "info"],
                          capture_output=True, timeout=300)
    peak_kib = int(info.stdout.split()[-1]) if info.returncode == 0 else 0
    if info.returncode != 0 or f'"words":{count}'.encode() not in info.stdout:
        failures.append(f"many: 10 million words: exit {info.returncode} {info.stderr[:200]!r}")
    # Words, offsets, hash slots, norms and rows: about 40 bytes a word beyond the file itself.
    bound = size + 64 * count + (256 << 20)
    if peak_kib * 1024 > bound and not sanitized(embtool):  # ASan's shadow memory is not ours
        failures.append(f"many: peak memory {peak_kib // 1024} MiB for a {size >> 20} MiB file "
                        f"(bound {bound >> 20} MiB)")
    print(f"many: {count} words, file {size >> 20} MiB, peak memory {peak_kib // 1024} MiB "
          f"({peak_kib * 1024 / size:.2f}x the file)")
    os.unlink(path)


def check_limit(embtool, failures, model):
    r = run(embtool, "-m", model, "--limit", "100000000", "--json", "info")
    if r.returncode != 0 or b'"words":60000' not in r.stdout or r.stderr:
        failures.append(f"limit: --limit beyond the file: exit {r.returncode}, stderr {r.stderr[:200]!r}")
    print("limit: --limit 100000000 on a 60000-word file reads all of it")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True)
    ap.add_argument("--model", required=True, help="the bundled model")
    ap.add_argument("--only", default="kill,sharing,shrunk,big,many,limit")
    args = ap.parse_args()
    embtool = os.path.abspath(args.embtool)
    only = set(args.only.split(","))
    failures = []
    with tempfile.TemporaryDirectory(prefix="embtool-reliability-") as tmp:
        if "kill" in only:
            check_kill(embtool, tmp, failures)
        if "sharing" in only:
            check_sharing(embtool, tmp, failures, args.model)
        if "shrunk" in only:
            check_shrunk(embtool, tmp, failures, args.model)
        if "big" in only:
            check_big(embtool, tmp, failures)
        if "many" in only:
            check_many(embtool, tmp, failures)
        if "limit" in only:
            check_limit(embtool, failures, args.model)
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
