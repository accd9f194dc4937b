#!/usr/bin/env python3
"""Several `embtool serve` processes on one store behind Debian's nginx as the load balancer, on
loopback: every answer through nginx equals the direct one, every instance takes a share of
the load (of the CPU time spent answering), one instance stopping costs no request, and the page cache holds one copy of the
store for all of them (the store's mapping is shared: the instances' proportional shares of it
add up to one copy).

    nginx_test.py --embtool build/embtool --model data/model.bin [--instances 3]
Exits 77 (skipped) where nginx is not installed.
"""
import argparse
import concurrent.futures
import http.client
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from serve_test import Server  # noqa: E402

NGINX_CONF = """
worker_processes 2;
{user}
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  upstream embtool {{
    least_conn;
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 1m;
    location / {{
      proxy_pass http://embtool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502;
    }}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, target):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", target)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def cpu_ticks(pid):
    """The CPU time a process has used (user + system), in clock ticks."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def store_mapping(pid, store):
    """(Rss, Pss) in kB of the process's mappings of `store`."""
    rss = pss = 0
    inside = False
    for line in pathlib.Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 6 and "-" in fields[0] and ":" in fields[3]:
            inside = fields[5] == store
        elif inside and fields[0] == "Rss:":
            rss += int(fields[1])
        elif inside and fields[0] == "Pss:":
            pss += int(fields[1])
    return rss, pss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--instances", type=int, default=3)
    args = parser.parse_args()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        print("skipped: nginx is not installed (apt-get install nginx)")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as work:
        store = os.path.join(work, "model.emb")
        subprocess.run([args.embtool, "convert", args.model, store], check=True)
        servers = [Server(args.embtool, ["-m", store], "--threads", "2") for _ in range(args.instances)]
        port = free_port()
        conf = pathlib.Path(work) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(
            work=work, port=port, user="user root;" if os.geteuid() == 0 else "",
            servers="\n".join(f"    server 127.0.0.1:{s.port} max_fails=1 fail_timeout=5s;" for s in servers)))
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", work], stderr=subprocess.PIPE)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            words = ["king", "queen", "dog", "cat", "man", "woman", "city", "water", "war", "love"]
            direct = {w: get(servers[0].port, f"/api/neighbors?word={w}&k=10")[1] for w in words}
            before = [cpu_ticks(s.process.pid) for s in servers]

            def ask(i):
                word = words[i % len(words)]
                status, body = get(port, f"/api/neighbors?word={word}&k=10")
                return status == 200 and body == direct[word]

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                answers = list(pool.map(ask, range(2000)))
            if not all(answers):
                failures.append(f"{answers.count(False)} of 2000 answers through nginx differ from the direct ones")
            shares = [cpu_ticks(s.process.pid) - b for s, b in zip(servers, before)]
            total = sum(shares)
            print("CPU ticks each instance spent answering:", shares)
            if total == 0 or min(shares) < total / (4 * args.instances):
                failures.append(f"the load is not shared: {shares}")
            mappings = [store_mapping(s.process.pid, store) for s in servers]
            print("store mapping (Rss kB, Pss kB) per instance:", mappings, "store", os.path.getsize(store) // 1024, "kB")
            rss = max(m[0] for m in mappings)
            pss_sum = sum(m[1] for m in mappings)
            if rss == 0 or abs(pss_sum - rss) > 0.1 * rss + 64:
                failures.append(f"the store is not one shared copy: Pss sum {pss_sum} kB vs Rss {rss} kB")
            # One instance stops: nginx sends its requests to the others.
            servers[-1].stop()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                after_stop = list(pool.map(ask, range(300)))
            if not all(after_stop):
                failures.append(f"{after_stop.count(False)} of 300 requests failed with one instance stopped")
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            for s in servers:
                s.stop()
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        return 1
    print(f"nginx: {args.instances} instances behind one nginx on one store: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
