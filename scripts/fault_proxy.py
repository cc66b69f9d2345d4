#!/usr/bin/env python3
"""Fault-injecting HTTP proxy on 127.0.0.1 between an AWS SDK and moto.

    fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--log calls.jsonl]
                   [--throttle 0.1] [--error500 0.05] [--lost 0.05]
                   [--delay 0.1 --delay-ms 300] [--seed 7] [--script rules.json]

Operations are named by their Action (query protocol), X-Amz-Target (JSON
protocol) or, for the Account Management API (REST-JSON), by the path
(`/listRegions` is ListRegions).

Prints `READY <port>` once listening. Every request is logged as one JSON line:
{"n", "service", "action", "fault", "status"}. For each request, in order:

- `--throttle` share: answered 400 Throttling without reaching moto;
- `--error500` share: answered 500 InternalFailure without reaching moto;
- `--delay` share: held `--delay-ms` before forwarding;
- `--lost` share: forwarded (moto applies it) and then answered 500, as when
  a response is lost on the way back: the caller must be idempotent.

Faults never hit the first request of a connection-less health probe
(`GET /`). `--script` scripts answers moto cannot give: a JSON list of
rules `{"action": "DescribeStackSetOperation", "times": 2,
"replace": [["SUCCEEDED", "RUNNING"]], "status": 400, "body": "...",
"delay_ms": 3000, "contains": "text in the request", "service": "account",
"content_type": "application/json", "error_type": "AccessDeniedException"}`;
a rule with `body` answers without reaching moto, one with `replace`
rewrites moto's answer. `times` counts down per matching request.
Exits when its parent dies or after --max-seconds.
"""
import argparse
import http.client
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-connection", "content-length", "host"}


def classify(headers, body, path="/"):
    service = "?"
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    if m:
        service = m.group(1)
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.split(".")[-1], True
    # REST-JSON services name the operation in the path (Account Management:
    # POST /getRegionOptStatus, POST /listRegions).
    if service == "account":
        op = path.strip("/").split("?")[0]
        return service, op[:1].upper() + op[1:], True
    try:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return service, form["Action"][0], False
    except Exception:
        pass
    return service, "?", False


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def answer(self, status, body, ctype="text/xml", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or []):
            if k.lower() not in HOP and k.lower() != "content-type":
                self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message, is_json):
        if is_json:
            body = json.dumps({"__type": code, "message": message}).encode()
            self.answer(status, body, "application/x-amz-json-1.1",
                        [("x-amzn-ErrorType", code)])
        else:
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                    f"<Message>{message}</Message></Error>"
                    f"<RequestId>fault-proxy</RequestId></ErrorResponse>").encode()
            self.answer(status, body)

    def handle_any(self):
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service, action, is_json = classify(self.headers, body, self.path)
        with srv.lock:
            srv.count += 1
            n = srv.count
            r = srv.rng.random()
            rule = None
            for rl in srv.rules:
                if rl.get("action") == action and rl.get("times", 1) > 0 and \
                        (not rl.get("service") or rl["service"] == service) and \
                        (not rl.get("contains") or rl["contains"].encode() in body):
                    rl["times"] = rl.get("times", 1) - 1
                    rule = rl
                    break
        fault = None
        a = srv.args
        if rule is not None and "body" in rule:
            fault = "scripted"
        elif action != "?":
            if r < a.throttle:
                fault = "throttle"
            elif r < a.throttle + a.error500:
                fault = "error500"
            elif r < a.throttle + a.error500 + a.lost:
                fault = "lost"
            elif r < a.throttle + a.error500 + a.lost + a.delay:
                fault = "delay"
        status = 0
        if rule is not None and rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000.0)
        try:
            if fault == "scripted":
                status = rule.get("status", 200)
                headers = [("x-amzn-ErrorType", rule["error_type"])] if rule.get("error_type") else None
                self.answer(status, rule["body"].encode(), rule.get("content_type", "text/xml"), headers)
                return
            if fault == "throttle":
                status = 400
                self.error(400, "ThrottlingException" if is_json else "Throttling",
                           "Rate exceeded", is_json)
                return
            if fault == "error500":
                status = 500
                self.error(500, "InternalFailure", "injected 500", is_json)
                return
            if fault == "delay":
                time.sleep(a.delay_ms / 1000.0)
            conn = http.client.HTTPConnection(srv.upstream.hostname, srv.upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = self.headers.get("Host", "")
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            if fault == "lost":
                status = 500
                self.error(500, "InternalFailure", "injected 500 after moto applied the request",
                           is_json)
                return
            if rule is not None:
                for old, new in rule.get("replace", []):
                    data = data.replace(old.encode(), new.encode())
                if "status" in rule:
                    resp.status = rule["status"]
                fault = "rewritten"
            status = resp.status
            self.answer(resp.status, data, resp.getheader("Content-Type", "text/xml"),
                        resp.getheaders())
        finally:
            if srv.log:
                with srv.lock:
                    srv.log.write(json.dumps({"n": n, "service": service, "action": action,
                                              "fault": fault, "status": status}) + "\n")
                    srv.log.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--throttle", type=float, default=0.0)
    ap.add_argument("--error500", type=float, default=0.0)
    ap.add_argument("--lost", type=float, default=0.0)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--delay-ms", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--script")
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--detach", action="store_true", help="keep running when the parent exits")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Proxy)
    srv.daemon_threads = True
    srv.args = a
    srv.upstream = urllib.parse.urlparse(a.upstream)
    srv.lock = threading.Lock()
    srv.count = 0
    srv.rng = random.Random(a.seed)
    srv.rules = json.load(open(a.script)) if a.script else []
    srv.log = open(a.log, "a") if a.log else None
    parent = os.getppid()
    deadline = time.monotonic() + a.max_seconds

    def watchdog():
        while True:
            time.sleep(0.5)
            if (not a.detach and os.getppid() != parent) or time.monotonic() > deadline:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    print(f"READY {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
