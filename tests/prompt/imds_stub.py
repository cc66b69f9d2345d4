#!/usr/bin/env python3
"""A tiny stand-in for the EC2 instance metadata service (IMDSv2 only), on
127.0.0.1, for testing the prompt lines of the shell profile.

PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds returns a
token; every GET must carry it (X-aws-ec2-metadata-token), else 401, as an
instance that requires IMDSv2 answers. /latest/meta-data/instance-id is
i-0123456789abcdef0; /latest/meta-data/tags/instance/<Key> is the value of
--tag Key=Value, 404 otherwise (as when instance metadata tags are off).
Prints `READY <port>`; exits when its parent dies or after --max-seconds.
"""
import argparse
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "AQAEAFakeTokenForTests=="
INSTANCE_ID = "i-0123456789abcdef0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", action="append", default=[], help="Key=Value served under tags/instance/")
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    tags = dict(t.split("=", 1) for t in args.tag)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self, code, body=""):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
            if self.path != "/latest/api/token" or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.answer(400)
            self.answer(200, TOKEN)

        def do_GET(self):
            if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                return self.answer(401)
            if self.path == "/latest/meta-data/instance-id":
                return self.answer(200, INSTANCE_ID)
            prefix = "/latest/meta-data/tags/instance/"
            if self.path.startswith(prefix) and self.path[len(prefix):] in tags:
                return self.answer(200, tags[self.path[len(prefix):]])
            self.answer(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds

    def watchdog():
        while True:
            time.sleep(0.2)
            if os.getppid() != parent or time.monotonic() > deadline:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
