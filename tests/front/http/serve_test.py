#!/usr/bin/env python3
"""`embtool serve` over real sockets: every command's body equals `embtool ... --json` for the
same query (on the bundled model, on a store of it, and on a model with a tokenizer when the
shared data is there); errors map to statuses with a JSON body; bad requests (broken escapes,
bytes that are not UTF-8, huge headers and bodies, path traversal, unknown routes, a client
sending a byte a second, one that disconnects mid-answer) are answered or dropped while the
server keeps serving the others; it listens on 127.0.0.1 unless told otherwise.

    serve_test.py --embtool build/embtool --model data/model.bin [--shared ../shared/data]
"""
import argparse
import http.client
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print(f"FAIL: {what}", flush=True)


class Server:
    """`embtool [model args] serve --port 0 [options]`, its URL read from its announcement."""

    def __init__(self, embtool, model_args, *options):
        self.process = subprocess.Popen([embtool, *model_args, "serve", "--port", "0", *options],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.announcement = self.process.stderr.readline()
        found = re.search(r"http://([\d.]+):(\d+)/", self.announcement)
        if not found:
            self.process.kill()
            raise SystemExit(f"serve did not announce a URL: {self.announcement!r}")
        self.host, self.port = found.group(1), int(found.group(2))

    def request(self, method, target, body=None, headers=None, timeout=30):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data

    def get(self, target):
        return self.request("GET", target)

    def raw(self, data, timeout=10):
        """Sends bytes as they are; returns what comes back before the server closes or goes quiet."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except (socket.timeout, ConnectionResetError):
                pass
            return b"".join(chunks)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.process.returncode


def cli(embtool, model_args, command, args):
    result = subprocess.run([embtool, *model_args, "--json", command, *args], capture_output=True)
    return result.returncode, result.stdout, result.stderr


def query(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


# (command, its arguments on the command line, the same query as request parameters)
WORD_CASES = [
    ("neighbors", ["king", "--k", "5"], [("word", "king"), ("k", "5")]),
    ("neighbors", ["king", "queen", "dog"], [("words", "king,queen,dog")]),
    ("neighbors", ["king", "queen"], [("word", "king"), ("word", "queen")]),
    ("neighbors", ["king - man + woman"], [("word", "king - man + woman")]),
    ("neighbors", ["--id", "3", "--k", "3"], [("id", "3"), ("k", "3")]),
    ("neighbors", ["king", "zzzunknownzzz"], [("words", "king,zzzunknownzzz")]),
    ("neighbors", ["--k", "2", "--", "-"], [("word", "-"), ("k", "2")]),  # a request never reads stdin
    ("similar", ["cat", "dog"], [("a", "cat"), ("b", "dog")]),
    ("similar", ["cat", "--id", "7"], [("a", "cat"), ("id", "7")]),
    ("distance", ["cat", "dog"], [("a", "cat"), ("b", "dog")]),
    ("analogy", ["king", "woman", "man"], [("a", "king"), ("b", "woman"), ("c", "man")]),
    ("analogy", ["king", "woman", "man", "--method", "mul", "--k", "3"],
     [("a", "king"), ("b", "woman"), ("c", "man"), ("method", "mul"), ("k", "3")]),
    ("vector", ["cat"], [("word", "cat")]),
    ("vector", ["--id", "3"], [("id", "3")]),
    ("doesnt-match", ["breakfast", "cereal", "dinner", "lunch"], [("words", "breakfast,cereal,dinner,lunch")]),
    ("info", [], []),
    ("words", ["--prefix", "king", "--limit", "5"], [("prefix", "king"), ("limit", "5")]),
    ("words", ["--contains", "ing", "--count"], [("contains", "ing"), ("count", "true")]),
    ("plot", ["king", "queen", "man", "woman"], [("words", "king,queen,man,woman")]),
    ("plot", ["--neighbors", "king", "--k", "8"], [("neighbors", "king"), ("k", "8")]),
    ("plot", ["--analogy", "king", "woman", "man", "--group", "cat,dog", "--method", "tsne", "--perplexity", "2"],
     [("analogy", "king,woman,man"), ("group", "cat,dog"), ("method", "tsne"), ("perplexity", "2")]),
    ("plot", ["king"], [("word", "king")]),  # one point: the same refusal
]

TOKEN_CASES = [
    ("tokenize", ["Hello world, this is an example"], [("text", "Hello world, this is an example")]),
    ("tokenize", ["--add-special", "Hello"], [("text", "Hello"), ("add_special", "1")]),
    ("detokenize", ["5", "7", "11"], [("ids", "5,7,11")]),
    ("detokenize", ["15496"], [("id", "15496")]),  # past the tokenizer's ids: the same refusal
    ("embed", ["Hello world", "--pool", "mean"], [("text", "Hello world"), ("pool", "mean")]),
    ("tokens", ["--k", "5"], [("k", "5")]),
    ("plot", ["--id", "3", "--id", "4", "--id", "5"], [("id", "3"), ("id", "4"), ("id", "5")]),
    ("neighbors", ["--id", "3", "--k", "3"], [("id", "3"), ("k", "3")]),
    ("neighbors", [" king", "--k", "3"], [("word", " king"), ("k", "3")]),
    ("vector", ["--id", "4"], [("id", "4")]),
    ("info", [], []),
]


def check_same_as_cli(server, embtool, model_args, cases, label):
    for command, args, params in cases:
        code, expected, stderr = cli(embtool, model_args, command, args)
        status, headers, body = server.get(f"/api/{command}?{query(params)}")
        if code != 0 and not expected:  # the command line's error: the same words, its status
            message = stderr.decode().strip().removeprefix("embtool: error: ")
            want = {2: 400, 3: 404}.get(code, 500)
            check(status == want and json.loads(body).get("error") == message,
                  f"{label}: {command} {args}: {status} {body!r}, the command line says {message!r} (exit {code})")
            continue
        check(body == expected, f"{label}: /api/{command}?{query(params)} body != `embtool {command} {args} --json`\n"
                                f"   api: {body[:300]!r}\n   cli: {expected[:300]!r}")
        if code == 0:
            check(status == 200, f"{label}: {command} {args}: status {status}")
        check(headers.get("Content-Type", "").startswith("application/json"), f"{label}: {command}: content type")


def check_batch(server, embtool, model_args, label):
    lines = b"neighbors dog --k 3\nsimilar cat dog\n# a comment\nanalogy king woman man --k 2\nneighbors zzzq\nbogus\n"
    expected = subprocess.run([embtool, *model_args, "batch", "--json"], input=lines, capture_output=True).stdout
    status, _, body = server.request("POST", "/api/batch", body=lines)
    check(status == 200 and body == expected, f"{label}: POST /api/batch != `embtool batch --json`: {status} {body[:200]!r}")


def error_of(status, body, want_status, label):
    check(status == want_status, f"{label}: status {status}, expected {want_status}: {body[:200]!r}")
    try:
        document = json.loads(body)
        check(isinstance(document.get("error"), str) and document.get("status") == want_status,
              f"{label}: the body is not a JSON error: {body[:200]!r}")
    except ValueError:
        check(False, f"{label}: the body is not JSON: {body[:200]!r}")


def check_errors(server):
    error_of(*server.get("/api/neighbors?word=zzzunknownzzz")[::2], 404, "unknown word")
    error_of(*server.get("/api/vector?id=99999999")[::2], 404, "row past the end")
    error_of(*server.get("/api/neighbors?word=dog&k=0")[::2], 400, "k=0")
    error_of(*server.get("/api/neighbors?word=dog&k=ten")[::2], 400, "k=ten")
    error_of(*server.get("/api/neighbors?word=dog&k=-3")[::2], 400, "k=-3")
    error_of(*server.get("/api/neighbors?word=dog&k=100000")[::2], 400, "k above --max-k")
    error_of(*server.get("/api/neighbors")[::2], 400, "no word")
    error_of(*server.get("/api/similar?a=cat")[::2], 400, "similar without b")
    error_of(*server.get("/api/similar?a=cat&a=dog")[::2], 400, "a twice")
    error_of(*server.get("/api/neighbors?word=dog&frobnicate=1")[::2], 400, "unknown parameter")
    error_of(*server.get("/api/neighbors?word=dog&help=1")[::2], 400, "help is not a parameter")
    error_of(*server.get("/api/analogy?a=king&b=woman&c=man&method=sub")[::2], 400, "bad method")
    error_of(*server.get("/api/words?count=maybe")[::2], 400, "a flag that is not true or false")
    error_of(*server.get("/api/plot?words=king,queen&output=p.svg")[::2], 400, "plot writes no file for a request")
    error_of(*server.get("/api/plot?neighbors=king&k=100000")[::2], 400, "plot's k above --max-k")
    error_of(*server.get("/api/neighbors?word=%ZZ")[::2], 400, "broken escape")
    error_of(*server.get("/api/neighbors?word=%")[::2], 400, "escape cut short")
    error_of(*server.get("/api/neighbors?word=%FF%FE")[::2], 400, "not UTF-8")
    error_of(*server.get("/api/neighbors?word=%C0%AF")[::2], 400, "overlong UTF-8")
    error_of(*server.get("/api/neighbors?=dog")[::2], 400, "a parameter without a name")
    error_of(*server.get("/api/nosuchcommand")[::2], 404, "unknown command")
    error_of(*server.get("/nosuchpage")[::2], 404, "unknown route")
    error_of(*server.get("/api/eval?file=/etc/passwd")[::2], 404, "eval is not served")
    error_of(*server.get("/api/convert?input=a&output=b")[::2], 404, "convert is not served")
    status, headers, body = server.request("POST", "/api/neighbors?word=dog", body=b"x")
    error_of(status, body, 405, "POST to a query")
    check(headers.get("Allow") == "GET, HEAD", "405 names what is allowed")
    status, _, body = server.request("GET", "/api/batch")
    error_of(status, body, 405, "GET /api/batch")
    status, _, body = server.request("POST", "/api/batch", body=b"\xff\xfe neighbors dog\n")
    error_of(status, body, 400, "a batch that is not UTF-8")


def check_page(server):
    status, headers, body = server.get("/")
    check(status == 200 and headers.get("Content-Type", "").startswith("text/html") and b"<" in body, "the page at /")
    for asset in ("/app.js", "/style.css"):
        status, _, _ = server.get(asset)
        check(status == 200, f"{asset} is served")
    status, _, body = server.get("/api/")
    check(status == 200 and "neighbors" in json.loads(body)["commands"][2]["name"] + json.dumps(json.loads(body)),
          "GET /api/ lists the commands")


def check_hostile(server, max_body):
    # Path traversal, raw on the wire (a client library would normalize it away).
    for target in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/api/../../etc/passwd", b"//etc/passwd",
                   b"/..%2f..%2fetc/passwd"):
        reply = server.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(reply.startswith(b"HTTP/1.1 404") or reply.startswith(b"HTTP/1.1 400"),
              f"traversal {target!r}: {reply[:60]!r}")
        check(b"root:" not in reply, f"traversal {target!r} leaked a file")
    # A request line that is not HTTP; a huge header; a huge request target.
    reply = server.raw(b"HELLO THERE\r\n\r\n")
    check(reply == b"" or reply.startswith(b"HTTP/1.1 4"), f"garbage request line: {reply[:60]!r}")
    reply = server.raw(b"GET /api/info HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\nConnection: close\r\n\r\n")
    check(reply == b"" or re.match(rb"HTTP/1.1 4(13|31|00)", reply), f"huge header: {reply[:60]!r}")
    reply = server.raw(b"GET /api/neighbors?word=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(reply == b"" or re.match(rb"HTTP/1.1 4(14|13|31|00)", reply), f"huge target: {reply[:60]!r}")
    # A body over the limit, announced and chunked.
    # Refused from its announced length, before the client sends any of it.
    reply = server.raw(b"POST /api/batch HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (max_body + 1))
    check(reply.startswith(b"HTTP/1.1 413") and b'"status":413' in reply, f"a body over --max-body: {reply[:80]!r}")
    chunked = b"".join(b"%x\r\n%s\r\n" % (4096, b"n" * 4096) for _ in range(max_body // 4096 + 4)) + b"0\r\n\r\n"
    reply = server.raw(b"POST /api/batch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                       + chunked)
    check(reply.startswith(b"HTTP/1.1 413") or reply == b"", f"a chunked body over --max-body: {reply[:60]!r}")
    status, _, _ = server.get("/api/info")
    check(status == 200, "the server answers after the bad requests")


def check_batch_bounds(embtool, model_args):
    server = Server(embtool, model_args, "--max-batch", "3", "--max-k", "20")
    try:
        status, _, body = server.request("POST", "/api/batch", body=b"similar cat dog\n" * 4)
        error_of(status, body, 413, "a batch over --max-batch")
        status, _, body = server.request("POST", "/api/batch", body=b"neighbors dog --k 50\nsimilar cat dog\n")
        lines = [json.loads(line) for line in body.splitlines()]
        check(status == 200 and "--max-k" in lines[0].get("error", "") and "similarity" in lines[1],
              f"a batch line over --max-k has its error in its place: {body[:300]!r}")
    finally:
        server.stop()


def check_slow_and_vanishing_clients(embtool, model_args):
    """A client sending a byte a second, and clients that vanish mid-answer, hold no worker:
    the others are answered meanwhile, and the silent one is closed after --timeout."""
    server = Server(embtool, model_args, "--threads", "1", "--timeout", "2")
    try:
        slow = socket.create_connection((server.host, server.port), timeout=30)
        closed_after = []

        def dribble():
            started = time.monotonic()
            try:
                for byte in b"GET /api/info HTTP/1.1\r\nHost: x\r\n":
                    slow.send(bytes([byte]))
                    time.sleep(1.0)
            except OSError:
                pass
            closed_after.append(time.monotonic() - started)

        thread = threading.Thread(target=dribble)
        thread.start()
        time.sleep(1.5)
        timings = []
        for _ in range(20):
            started = time.monotonic()
            status, _, _ = server.get("/api/neighbors?word=dog&k=3")
            timings.append(time.monotonic() - started)
            check(status == 200, "a query answered while a slow client dribbles")
        check(max(timings) < 2.0, f"queries wait for the slow client: slowest {max(timings):.2f} s")
        # A silent connection is closed after the timeout.
        silent = socket.create_connection((server.host, server.port), timeout=15)
        started = time.monotonic()
        data = silent.recv(100)
        check(data == b"" and time.monotonic() - started < 8, f"a silent connection is closed ({time.monotonic() - started:.1f} s)")
        silent.close()
        # Clients that disconnect right after asking for a large answer.
        for _ in range(30):
            s = socket.create_connection((server.host, server.port), timeout=5)
            s.sendall(b"GET /api/neighbors?words=king,queen,dog,cat,man,woman&k=1000 HTTP/1.1\r\nHost: x\r\n\r\n")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # a reset, mid-answer
        status, _, _ = server.get("/api/similar?a=cat&b=dog")
        check(status == 200, "the server answers after clients vanished mid-answer")
        slow.close()
        thread.join(timeout=60)
        check(server.process.poll() is None, "the server is still running")
    finally:
        server.stop()


def check_loopback_default(server):
    check("this machine only" in server.announcement, f"the announcement says loopback: {server.announcement!r}")
    listening = set()
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port = local.split(":")
        if state == "0A" and int(port, 16) == server.port:
            listening.add(address)
    check(listening == {"0100007F"}, f"listens on 127.0.0.1 only: {listening}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--shared", default="")
    args = parser.parse_args()
    embtool = os.path.abspath(args.embtool)
    bundled = ["-m", os.path.abspath(args.model)]
    with tempfile.TemporaryDirectory() as work:
        store = os.path.join(work, "model.emb")
        subprocess.run([embtool, "convert", args.model, store, "--dtype", "i8"], check=True)
        for label, model_args in (("bundled model", bundled), ("store", ["-m", store])):
            server = Server(embtool, model_args)
            try:
                check_same_as_cli(server, embtool, model_args, WORD_CASES, label)
                check_batch(server, embtool, model_args, label)
                if label == "bundled model":
                    check_loopback_default(server)
                    check_errors(server)
                    check_page(server)
                    check_hostile(server, 1 << 20)
            finally:
                check(server.stop() == 0, f"{label}: serve exits 0 on SIGTERM")
        check_batch_bounds(embtool, bundled)
        check_slow_and_vanishing_clients(embtool, bundled)
        tiny_gpt2 = pathlib.Path(args.shared) / "llm" / "tiny_gpt2"
        if args.shared and tiny_gpt2.is_dir():
            token_model = ["-m", str(tiny_gpt2)]
            server = Server(embtool, token_model)
            try:
                check_same_as_cli(server, embtool, token_model, TOKEN_CASES, "tiny GPT-2")
            finally:
                server.stop()
        else:
            print(f"note: no {tiny_gpt2}: the tokenizer commands are compared on the word model's refusals only")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("serve: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
