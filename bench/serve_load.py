#!/usr/bin/env python3
"""Load test of `embtool serve` on loopback, bounded in count and time: C concurrent keep-alive
clients send N neighbour queries in all (words drawn from the model's vocabulary, fixed seed),
every answer checked for status 200; reports QPS and p50/p99 latency, against the same queries
answered by `embtool batch` (one process, the whole batch) in the same run.

    python3 bench/serve_load.py --embtool build/embtool -m data/model.bin --queries 20000
    python3 bench/serve_load.py --embtool build/embtool -m bench/data/googlenews_like.emb --queries 2000
"""
import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import time


async def client(host, port, targets, latencies, errors, deadline):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for target in targets:
            if time.monotonic() > deadline:
                errors.append("deadline")
                return
            started = time.perf_counter()
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{status} for {target}")
    finally:
        writer.close()


async def load(host, port, targets, clients, seconds):
    latencies, errors = [], []
    deadline = time.monotonic() + seconds
    shares = [targets[i::clients] for i in range(clients)]
    started = time.perf_counter()
    await asyncio.gather(*(client(host, port, share, latencies, errors, deadline) for share in shares))
    return time.perf_counter() - started, latencies, errors


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("-m", "--model", required=True)
    parser.add_argument("--queries", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long, whatever is left")
    parser.add_argument("--serve-args", nargs="*", default=[], help="global options for serve (e.g. --threads 1)")
    parser.add_argument("--vocabulary", type=int, default=10000, help="draw words from the first N rows")
    args = parser.parse_args()
    words = json.loads(subprocess.run([args.embtool, "-m", args.model, "--json", "words", "--limit", str(args.vocabulary)],
                                      check=True, capture_output=True).stdout)["words"]
    # Words a batch line and a query string both carry as they are (GoogleNews has phrases_like_this).
    words = [w["word"] for w in words if re.fullmatch(r"[A-Za-z0-9_]+", w["word"])]
    rng = random.Random(7)
    chosen = [rng.choice(words) for _ in range(args.queries)]
    targets = [f"/api/neighbors?word={w}&k={args.k}" for w in chosen]

    server = subprocess.Popen([args.embtool, "-m", args.model, *args.serve_args, "serve", "--port", "0", "--max-connections", "1024"],
                              stderr=subprocess.PIPE, text=True)
    try:
        announcement = server.stderr.readline()
        port = int(re.search(r":(\d+)/", announcement).group(1))
        asyncio.run(load("127.0.0.1", port, targets[:200], args.clients, args.seconds))  # warm: pages in, threads up
        seconds, latencies, errors = asyncio.run(load("127.0.0.1", port, targets, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)

    batch_input = "".join(f"neighbors {w} --k {args.k}\n" for w in chosen).encode()
    started = time.perf_counter()
    batch = subprocess.run([args.embtool, "-m", args.model, "--json", "batch"], input=batch_input, capture_output=True)
    batch_seconds = time.perf_counter() - started
    qps = len(latencies) / seconds
    print(f"model {args.model}: {len(latencies)} of {args.queries} neighbour queries (k {args.k}) from "
          f"{args.clients} concurrent clients, {len(errors)} errors")
    print(f"serve: {seconds:.2f} s, {qps:.0f} queries/s, latency p50 {percentile(latencies, 50) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 99) * 1000:.2f} ms")
    print(f"batch: {batch_seconds:.2f} s for the same queries in one process ({args.queries / batch_seconds:.0f} queries/s, "
          f"exit {batch.returncode}); serve/batch throughput {qps / (args.queries / batch_seconds):.2f}")
    return 1 if errors or len(latencies) != args.queries else 0


if __name__ == "__main__":
    sys.exit(main())
