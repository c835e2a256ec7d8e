#!/usr/bin/env python3
"""A small operator backend for the tests: what a customer's server that
receives masked's requests (SPEC §12 events, §11 intercept questions, §13
out-of-session TwiML) does, plus knobs to make it misbehave.

Every request that is not a control request is checked with the README's
recipe (deploy/operator/verify.py, imported, not copied) and recorded, in
order, as one JSON line in --log and in memory:
    {"n", "time", "method", "path", "headers", "body", "verdict": "good"|"forged"}

Control endpoints (JSON in, JSON out), like the fake Twilio's /_fake/...:
    POST /_op/reset                 forget requests, answers and knobs
    GET  /_op/requests              every request recorded, in order
    POST /_op/config  {"delay_ms": N, "statuses": [503, 500, ...],
                       "status": S, "hangup": N, "lie": true}
        delay_ms  every answer waits that long first
        statuses  the next requests are answered these, one each, in turn
        status    then every request is answered S (default 200)
        hangup    the next N requests get no answer: the connection is closed
        lie       answers 200 with a body that is not what was asked
    POST /_op/answer  {"path": "/intercept", "status": 200,
                       "body": "..." or {...}, "content_type": "..."}
        what requests to that path are answered (a JSON body is serialised;
        content type application/json for JSON, else text/xml), the knobs
        above still applying

    operator.py --port 0 --secret SECRET --log FILE
prints "listening on 127.0.0.1:PORT" once it serves.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "deploy", "operator"))
from verify import verify  # noqa: E402  the README's recipe itself

LOCK = threading.Lock()
STATE = {}


def reset():
    STATE.update(requests=[], answers={}, delay_ms=0, statuses=[], status=200,
                 hangup=0, lie=False)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        if self.path == "/_op/requests":
            with LOCK:
                return self.send(200, list(STATE["requests"]))
        self.send(404, {"error": "not_found"})

    def control(self, body):
        req = json.loads(body or b"{}")
        with LOCK:
            if self.path == "/_op/reset":
                reset()
            elif self.path == "/_op/config":
                for k in ("delay_ms", "statuses", "status", "hangup", "lie"):
                    if k in req:
                        STATE[k] = req[k]
            elif self.path == "/_op/answer":
                STATE["answers"][req["path"]] = req
            else:
                return self.send(404, {"error": "not_found"})
        self.send(200, {"ok": True})

    def do_POST(self):
        body = self.body()
        if self.path.startswith("/_op/"):
            return self.control(body)
        header = self.headers.get("X-Masked-Signature")
        good = verify(self.server.secret, header, body)
        with LOCK:
            rec = {"n": len(STATE["requests"]) + 1, "time": time.time(),
                   "method": "POST", "path": self.path,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"),
                   "verdict": "good" if good else "forged"}
            STATE["requests"].append(rec)
            with open(self.server.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
            delay = STATE["delay_ms"]
            hangup = STATE["hangup"] > 0
            if hangup:
                STATE["hangup"] -= 1
            status = (STATE["statuses"].pop(0) if STATE["statuses"]
                      else STATE["status"])
            answer = STATE["answers"].get(self.path)
            lie = STATE["lie"]
        if delay:
            time.sleep(delay / 1000)
        if hangup:
            self.close_connection = True
            return
        if lie:
            return self.send(200, b"\x00\xffnot what you asked<", "text/plain")
        if answer is not None:
            b = answer.get("body", "")
            ctype = answer.get("content_type") or (
                "application/json" if isinstance(b, (dict, list)) else "text/xml")
            return self.send(answer.get("status", status), b, ctype)
        if not good:
            # What the recipe tells the operator to do with a forgery.
            return self.send(401, {"error": "bad signature"})
        self.send(status, {"received": True} if status < 300 else {"error": "failing"})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--secret", required=True)
    p.add_argument("--log", required=True)
    a = p.parse_args()
    reset()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.secret = a.secret
    srv.log = a.log
    print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
