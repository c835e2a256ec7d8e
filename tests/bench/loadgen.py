#!/usr/bin/env python3
"""Load generator of `make bench` (Python 3 standard library only).

    loadgen.py run SCENARIO --out DIR      one scenario; its result goes to
                                           DIR/NN-SCENARIO.json, a line to stdout
    loadgen.py report DIR                  the table, the targets and the notes
    loadgen.py soak --out DIR              the 100,000-request soak of one worker
    loadgen.py list                        the scenario names, in order

It talks to lighttpd (BASE_URL) over persistent http.client connections, one
per client thread, and to the fake Twilio's control API (FAKE_URL).  It
reads /proc for the CPU time and memory of our .fcgi programs (the children
of LIGHTTPD_PID), of lighttpd itself, of the fake (FAKE_PID) and of itself,
to give CPU per session and to name the bottleneck: a process that used more
than BUSY_PCT of one core over the run.

Every scenario first runs a warm-up of its own kind (max(BENCH_WARMUP_MIN,
10% of its count) operations; sparse: one; the session API scenarios: their
untimed set-up) that no figure counts; new connections are counted after it,
per process: from the programs' debug log ("(new connection)" lines, each
with its pid) and from the fake's GET /_fake/connections (each connection's
peer pid, looked up in /proc).

Environment: BASE_URL, FAKE_URL, LIGHTTPD_PID, FAKE_PID, LATENCY_MS,
CONNECT_DELAY_MS, plus AUTH_USER, AUTH_PASS, AUTH_TOKEN, DOMAIN, CONCURRENCY
(closed loop), PROCS, WORKER_THREADS (for the notes), SOAK_REQUESTS,
SOAK_RESET_EVERY, BENCH_OPS_N (requests of each operation in the ops
scenario), BENCH_SPARSE_GAP_S, BENCH_SPARSE_S, BENCH_WARMUP_MIN.
"""

import base64
import collections
import glob
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import re
import ssl
import statistics
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
BUSY_PCT = 85.0         # a process above this share of one core is saturated
SAMPLE_S = 0.05         # memory sampling period

ENV = os.environ
L_MS = float(ENV.get("LATENCY_MS", "50"))
CONNECT_MS = float(ENV.get("CONNECT_DELAY_MS", "0"))
SPARSE_GAP_S = float(ENV.get("BENCH_SPARSE_GAP_S", "5"))
SPARSE_S = float(ENV.get("BENCH_SPARSE_S", "60"))
WARMUP_MIN = int(ENV.get("BENCH_WARMUP_MIN", "32"))
AUTH_USER = ENV.get("AUTH_USER", "test-user")
AUTH_PASS = ENV.get("AUTH_PASS", "test pass:with colon")
AUTH_TOKEN = ENV.get("AUTH_TOKEN", "sandbox-auth-token")
DOMAIN = ENV.get("DOMAIN", "masked.example.com")
AUTH_HEADER = "Basic " + base64.b64encode(
    ("%s:%s" % (AUTH_USER, AUTH_PASS)).encode()).decode()


# --------------------------------------------------------------------------
# Scenarios

# kind: open (one started every interval_ms) or closed (concurrency in
# flight); op: session or inbound.  The order is the table's.
SCENARIOS = [
    dict(name="load test", key="loadtest", kind="open", op="session",
         count=300, interval_ms=20, parties=2, threads=64,
         what="the original's yarn loadtest: 300 sessions, one every 20 ms"),
    dict(name="closed loop", key="closed", kind="closed", op="session",
         count=2000, concurrency=32, parties=2, pss=True,
         what="2000 sessions, 32 in flight"),
    dict(name="one at a time", key="serial", kind="closed", op="session",
         count=300, concurrency=1, parties=2,
         what="300 sessions, one in flight: the cost of a session "
              "without contention"),
    dict(name="10-party", key="party10", kind="closed", op="session",
         count=200, concurrency=4, parties=10,
         what="200 sessions of 10 people, 4 in flight"),
    dict(name="50-party", key="party50", kind="closed", op="session",
         count=40, concurrency=2, parties=50,
         what="40 sessions of 50 people, 2 in flight"),
    # Wide sessions at 1 and 16 in flight: how many new connections (each a
    # TCP and TLS handshake against Twilio) a wide session costs once warm.
    dict(name="10-party x1", key="party10-1", kind="closed", op="session",
         count=100, concurrency=1, parties=10,
         what="100 sessions of 10 people, one in flight"),
    dict(name="10-party x16", key="party10-16", kind="closed", op="session",
         count=320, concurrency=16, parties=10,
         what="320 sessions of 10 people, 16 in flight"),
    dict(name="50-party x1", key="party50-1", kind="closed", op="session",
         count=40, concurrency=1, parties=50,
         what="40 sessions of 50 people, one in flight"),
    dict(name="50-party x16", key="party50-16", kind="closed", op="session",
         count=160, concurrency=16, parties=50,
         what="160 sessions of 50 people, 16 in flight"),
    # Sparse traffic: the threads' connections go cold between sessions.
    dict(name="sparse", key="sparse", kind="open", op="session",
         count=max(1, int(SPARSE_S / SPARSE_GAP_S)),
         interval_ms=SPARSE_GAP_S * 1000.0, parties=2, threads=2, warmup=1,
         cold=True,
         what="one 2-party session every %g s for %g s (BENCH_SPARSE_GAP_S, "
              "BENCH_SPARSE_S), after the fake closed every idle connection "
              "(POST /_fake/close-idle, before the warm-up): traffic "
              "resuming after a quiet spell" % (SPARSE_GAP_S, SPARSE_S)),
    dict(name="same person", key="sameperson", kind="closed", op="session",
         count=15, concurrency=5, parties=2, shared=True,
         what="15 sessions sharing one person, 5 in flight"),
    dict(name="429 (5%)", key="429", kind="closed", op="session",
         count=300, concurrency=16, parties=2,
         fault={"every": 20, "times": -1, "status": 429, "code": 20429,
                "message": "Too Many Requests"},
         what="every 20th Twilio call answered 429 (no Retry-After), "
              "300 sessions, 16 in flight"),
    dict(name="inbound 1:1", key="inbound1", kind="closed", op="inbound",
         count=500, concurrency=8, parties=2,
         what="500 calls into seeded 2-person sessions, 8 in flight"),
    dict(name="inbound conf", key="inboundconf", kind="closed", op="inbound",
         count=300, concurrency=8, parties=4,
         what="300 calls into seeded 4-person sessions (3 callees "
              "called out), 8 in flight"),
    # Message interception: a text holding a phone number, as Twilio's
    # pre-event webhook brings it, into seeded 2-person sessions: one
    # Twilio round trip (the session's mode and expiry), the filter, and
    # for preevent-op the operator's intercept callback (BENCH_OPERATOR_MS).
    dict(name="pre-event", key="preevent", kind="closed", op="preevent",
         count=500, concurrency=8, parties=2, path="/conversations-pre-event",
         what="500 texts into seeded 2-person sessions, 8 in flight, "
              "redacted by the filter"),
    dict(name="pre-event + operator", key="preevent-op", kind="closed",
         op="preevent", count=500, concurrency=8, parties=2,
         path="/op/conversations-pre-event",
         what="the same, each also asked of the operator's backend "
              "(INTERCEPT_CALLBACK_URL), which answers allow after "
              "BENCH_OPERATOR_MS"),
    # The session API (op fetch, add, log): sessions made through POST
    # /sessions (and their messages through POST /sessions/{id}/messages)
    # before the timed part; each op's Twilio requests are picked out of
    # the fake's log to count its sequential round trips (see round_trips).
    dict(name="fetch", key="fetch", kind="closed", op="fetch",
         count=500, concurrency=8, parties=2, sessions=16,
         calls=2, trips=1,
         what="500 GET /sessions/{id} of 16 existing 2-person sessions, "
              "8 in flight"),
    dict(name="add", key="add", kind="closed", op="add",
         count=400, concurrency=4, parties=2, per_session=40,
         calls=4, trips=2,
         what="400 POST /sessions/{id}/participants of one new number "
              "each (+1415555xxxx), into 2-person sessions (a new one "
              "every 40 adds, made before timing), 4 in flight"),
    dict(name="log", key="log", kind="closed", op="log",
         count=500, concurrency=8, parties=2, sessions=16, messages=20,
         calls=1, trips=1,
         what="500 GET /sessions/{id}/messages of 16 sessions of 20 "
              "messages each, 8 in flight"),
    # Every operation of the session API, one request at a time (so each
    # figure is that operation's own latency), BENCH_OPS_N of each; the
    # sessions they act on made before timing (see setup_ops_scenario).
    dict(name="ops", key="ops", kind="closed", op="ops",
         count=int(ENV.get("BENCH_OPS_N", "30")), concurrency=1, parties=2,
         sessions=4, messages=10, per_session=10,
         what="each operation of the session API, BENCH_OPS_N of each, "
              "one request in flight (the table \"session API, one request "
              "at a time\")"),
]
API_OPS = ("fetch", "add", "log", "ops")
BY_KEY = {s["key"]: s for s in SCENARIOS}


# --------------------------------------------------------------------------
# Numbers

def area_codes():
    codes = []
    try:
        with open(os.path.join(TOP, "etc", "nanp-area-codes.csv")) as f:
            for line in f:
                code = line.split(",")[0]
                if code.isdigit() and len(code) == 3:
                    codes.append(code)
    except OSError:
        pass
    return codes or ["415", "212", "312", "617", "206", "604"]


class Numbers:
    """Distinct random +1 numbers (real area codes, exchange 2XX-9XX)."""

    def __init__(self, seed=None):
        self.codes = area_codes()
        self.rng = random.Random(seed)
        self.seen = set()
        self.lock = threading.Lock()

    def one(self):
        with self.lock:
            while True:
                n = "+1%s%d%02d%04d" % (self.rng.choice(self.codes),
                                        self.rng.randint(2, 9),
                                        self.rng.randint(0, 99),
                                        self.rng.randint(0, 9999))
                if n not in self.seen:
                    self.seen.add(n)
                    return n

    def many(self, k):
        return [self.one() for _ in range(k)]


def pool_numbers():
    try:
        return json.loads(ENV.get("NUMBER_POOL", "[]"))
    except ValueError:
        return []


# --------------------------------------------------------------------------
# Webhook signature (as tests/lib/sign.py)

def sign(token, url, pairs):
    data = url
    for name in sorted({n for n, _ in pairs}, key=lambda s: s.encode()):
        for v in sorted({v for n, v in pairs if n == name},
                        key=lambda s: s.encode()):
            data += name + v
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


# --------------------------------------------------------------------------
# HTTP

class Client:
    """One persistent connection to lighttpd."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None
        self.connects = 0

    def request(self, method, path, body, headers):
        """(status, headers dict, body bytes); status 0 on a transport error."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=60)
                self.connects += 1
            fresh = self.conn.sock is None
            try:
                self.conn.request(method, path, body, headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.conn.close()
                return r.status, {k.lower(): v for k, v in r.getheaders()}, data
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as e:
                self.conn.close()
                self.conn = None
                # A kept-alive connection the server had already closed:
                # nothing was processed, send once more on a new one.
                if attempt == 0 and not fresh:
                    continue
                return 0, {}, ("%s" % type(e).__name__).encode()
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                self.conn = None
                return 0, {}, ("%s" % type(e).__name__).encode()
        return 0, {}, b"unreachable"

    def close(self):
        if self.conn is not None:
            self.conn.close()


def fake(method, path, body=None):
    u = urllib.parse.urlsplit(ENV["FAKE_URL"])
    if u.scheme == "https":     # BENCH_TLS=1: the bench's own CA
        ctx = ssl.create_default_context(cafile=ENV["CURL_CA_BUNDLE"])
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=120,
                                        context=ctx)
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    # Connecting is retried (a busy host can refuse or reset a connect);
    # nothing is sent twice.
    for attempt in range(5):
        try:
            c.connect()
            break
        except (ConnectionRefusedError, ConnectionResetError):
            c.close()
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    try:
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, "/_fake/" + path, data,
                  {"Content-Type": "application/json"} if data else {})
        r = c.getresponse()
        out = r.read()
        if r.status != 200:
            raise RuntimeError("fake %s %s: %d %s" % (method, path, r.status,
                                                      out[:200]))
        return json.loads(out) if out else None
    finally:
        c.close()


# --------------------------------------------------------------------------
# /proc

def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("ascii", "replace")
    except OSError:
        return None


def proc_stat(pid):
    """(ppid, utime+stime ticks) or None."""
    s = read("/proc/%d/stat" % pid)
    if s is None:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return int(rest[1]), int(rest[11]) + int(rest[12])


def proc_detail(pid):
    """(user ticks, system ticks, context switches of all its threads, of
    them voluntary: the thread waited) or None."""
    s = read("/proc/%d/stat" % pid)
    if s is None:
        return None
    rest = s[s.rindex(")") + 2:].split()
    switches = voluntary = 0
    for st in glob.glob("/proc/%d/task/*/status" % pid):
        for m in re.finditer(r"^(non)?voluntary_ctxt_switches:\s+(\d+)",
                             read(st) or "", re.M):
            switches += int(m.group(2))
            if m.group(1) is None:
                voluntary += int(m.group(2))
    return int(rest[11]), int(rest[12]), switches, voluntary


def cmd_name(pid):
    c = read("/proc/%d/cmdline" % pid)
    if not c:
        return "?"
    argv0 = c.split("\0")[0]
    return os.path.basename(argv0)


def our_programs():
    """{pid: program} of the .fcgi children of lighttpd."""
    lpid = int(ENV["LIGHTTPD_PID"])
    out = {}
    kids = read("/proc/%d/task/%d/children" % (lpid, lpid))
    pids = [int(x) for x in kids.split()] if kids is not None else None
    if pids is None:        # no children file: scan /proc
        pids = []
        for d in glob.glob("/proc/[0-9]*"):
            st = proc_stat(int(d[6:]))
            if st and st[0] == lpid:
                pids.append(int(d[6:]))
    for pid in pids:
        name = cmd_name(pid)
        if name.endswith(".fcgi"):
            out[pid] = name
    return out


def status_kb(pid, key):
    s = read("/proc/%d/status" % pid)
    if s:
        m = re.search(r"^%s:\s+(\d+) kB" % key, s, re.M)
        if m:
            return int(m.group(1))
    return None


def pss_kb(pid):
    s = read("/proc/%d/smaps_rollup" % pid)
    if s:
        m = re.search(r"^Pss:\s+(\d+) kB", s, re.M)
        if m:
            return int(m.group(1))
    return None


def smaps_rollup(pid):
    """{"Rss": kB, "Pss": kB, ...} of /proc/PID/smaps_rollup, or None."""
    s = read("/proc/%d/smaps_rollup" % pid)
    if not s:
        return None
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+):\s+(\d+) kB", s, re.M)}


def reset_peak(pid):
    """Resets VmHWM to the current RSS (clear_refs 5); False if not allowed."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def machine_ticks():
    """(busy, total) jiffies of the whole machine."""
    line = read("/proc/stat").split("\n")[0].split()[1:]
    v = [int(x) for x in line]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    total = sum(v[:8])
    return total - idle, total


class Watch:
    """CPU of every process that matters over a run, and memory samples."""

    def __init__(self, pss_when=None):
        self.progs = our_programs()
        self.pids = dict(self.progs)
        self.pids[int(ENV["LIGHTTPD_PID"])] = "lighttpd"
        self.pids[int(ENV["FAKE_PID"])] = "fake Twilio"
        self.pids[os.getpid()] = "load generator"
        self.peak_reset = all(reset_peak(p) for p in self.progs)
        self.rss_max = {p: 0 for p in self.progs}
        self.pss = []           # summed Pss samples (kB)
        self.pss_when = pss_when
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def ticks(self):
        out = {}
        for pid in self.pids:
            st = proc_stat(pid)
            if st:
                out[pid] = st[1]
        return out

    def details(self):
        return {p: proc_detail(p) for p in self.progs}

    def start(self):
        self.t0 = time.monotonic()
        self.d0 = self.details()
        self.c0 = self.ticks()
        self.m0 = machine_ticks()
        self.thread.start()

    def sample(self):
        while not self.stop.wait(SAMPLE_S):
            for pid in self.progs:
                r = status_kb(pid, "VmRSS")
                if r:
                    self.rss_max[pid] = max(self.rss_max[pid], r)
            if self.pss_when and self.pss_when():
                vals = [pss_kb(p) for p in self.progs]
                if all(v is not None for v in vals):
                    self.pss.append(sum(vals))

    def finish(self):
        self.stop.set()
        self.thread.join()
        wall = time.monotonic() - self.t0
        c1 = self.ticks()
        d1 = self.details()
        m1 = machine_ticks()
        # User and system CPU and context switches, summed over our programs.
        ours = [0.0, 0.0, 0, 0]
        for p in self.progs:
            if self.d0.get(p) and d1.get(p):
                for i in range(4):
                    ours[i] += d1[p][i] - self.d0[p][i]
        cpu = {}
        for pid, name in self.pids.items():
            if pid in self.c0 and pid in c1:
                cpu[pid] = (c1[pid] - self.c0[pid]) * 1000.0 / HZ
        hwm, split = {}, {}
        for pid in self.progs:
            h = status_kb(pid, "VmHWM")
            hwm[pid] = max(h or 0, self.rss_max[pid])
            split[pid] = {k: status_kb(pid, k) for k in
                          ("VmRSS", "RssAnon", "RssFile", "RssShmem")}
        gone = [p for p in self.progs if proc_stat(p) is None]
        now = our_programs()
        busy = (m1[0] - self.m0[0]) / max(1, m1[1] - self.m0[1]) * 100.0
        return {
            "wall_s": wall,
            "procs": [{"pid": p, "name": self.pids[p],
                       "cpu_ms": cpu.get(p, 0.0),
                       "pct": cpu.get(p, 0.0) / 10.0 / max(wall, 1e-9),
                       "ours": p in self.progs,
                       "hwm_kb": hwm.get(p), "rss_end": split.get(p)}
                      for p in self.pids],
            "machine_busy_pct": busy,
            "ours_user_ms": ours[0] * 1000.0 / HZ,
            "ours_sys_ms": ours[1] * 1000.0 / HZ,
            "ours_switches": ours[2],
            "ours_voluntary": ours[3],
            "peak_reset": self.peak_reset,
            "pss_samples": len(self.pss),
            "pss_max_kb": max(self.pss) if self.pss else None,
            "pss_median_kb": statistics.median(self.pss) if self.pss else None,
            "restarted": sorted(set(now) ^ set(self.progs)) or gone,
        }


# --------------------------------------------------------------------------
# Operations

class Op:
    """One request to make and how to judge its answer."""

    def __init__(self, method, path, body, headers, check, info=None):
        self.method, self.path, self.body = method, path, body
        self.headers, self.check, self.info = headers, check, info


SESSION_NO = [0]


def session_op(addresses, extra=None):
    SESSION_NO[0] += 1
    body = {"addresses": addresses, "friendlyName": "bench %d" % SESSION_NO[0]}
    if extra:
        body.update(extra)
    data = json.dumps(body).encode()

    def check(status, headers, data):
        if status != 200:
            return "HTTP %d %s" % (status, error_code(data)), None
        try:
            j = json.loads(data)
        except ValueError:
            return "200 not JSON", None
        parts = j.get("participants")
        if not isinstance(parts, list) or len(parts) != len(addresses):
            return "200 with %s participants, not %d" % (
                len(parts) if isinstance(parts, list) else "no",
                len(addresses)), None
        if sorted(p.get("address") for p in parts) != sorted(addresses) or \
                not all(p.get("proxyAddress") for p in parts):
            return "200 with wrong participants", None
        return None, {"sid": j.get("sid"),
                      "proxies": {p["address"]: p["proxyAddress"]
                                  for p in parts}}

    return Op("POST", "/sessions", data,
              {"Authorization": AUTH_HEADER,
               "Content-Type": "application/json"}, check)


def error_code(data):
    try:
        return json.loads(data).get("error", "")
    except (ValueError, AttributeError):
        return data[:60].decode("utf-8", "replace")


TEXT = "I'm at gate 12, call me on (415) 555-0199 when you land"
TEXT_REDACTED = "I'm at gate 12, call me on [redacted] when you land"


def preevent_op(path, sid, author):
    """A text as Twilio's pre-event webhook (onMessageAdd) brings it."""
    pairs = [("AccountSid", "AC" + "0" * 32), ("ConversationSid", sid),
             ("EventType", "onMessageAdd"), ("Author", author),
             ("ParticipantSid", "MB" + hashlib.md5(author.encode())
              .hexdigest()), ("Source", "SMS"), ("RetryCount", "0"),
             ("Attributes", "{}"), ("Body", TEXT)]
    sig = sign(AUTH_TOKEN, "https://%s%s" % (DOMAIN, path), pairs)
    data = urllib.parse.urlencode(pairs).encode()

    def check(status, headers, data):
        if status != 200:
            return "HTTP %d" % status, None
        try:
            body = json.loads(data).get("body")
        except (ValueError, AttributeError):
            body = None
        if body != TEXT_REDACTED:
            return "200 without the redacted body", None
        return None, None

    return Op("POST", path, data,
              {"X-Twilio-Signature": sig,
               "Content-Type": "application/x-www-form-urlencoded"}, check)


def inbound_op(caller, called, callees):
    """callees: [(address, proxy)] of the others in the conversation."""
    pairs = [("From", caller), ("Called", called), ("To", called),
             ("CallSid", "CA" + hashlib.md5(caller.encode()).hexdigest()),
             ("AccountSid", "AC" + "0" * 32), ("Direction", "inbound"),
             ("CallStatus", "ringing")]
    sig = sign(AUTH_TOKEN, "https://%s/inbound-call" % DOMAIN, pairs)
    data = urllib.parse.urlencode(pairs).encode()
    if len(callees) == 1:
        want = '<Dial callerId="%s"><Number>%s</Number></Dial>' % (
            callees[0][1], callees[0][0])
    else:
        want = '<Conference endConferenceOnExit="true">%s_at_' % caller

    def check(status, headers, data):
        if status != 200:
            return "HTTP %d" % status, None
        text = data.decode("utf-8", "replace")
        if want not in text:
            if "<Say>" in text and "<Dial" not in text:
                return "200 TwiML without Dial (apology or no session)", None
            return "200 unexpected TwiML", None
        return None, None

    return Op("POST", "/inbound-call", data,
              {"X-Twilio-Signature": sig,
               "Content-Type": "application/x-www-form-urlencoded"}, check)


# --------------------------------------------------------------------------
# Drivers

class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = []           # ms of the ok ones
        self.lat_all = []       # ms of every answer
        self.errors = {}
        self.infos = []
        self.lag_ms = []        # open loop: how late each request was sent
        self.inflight = 0

    def add(self, ms, err, info):
        with self.lock:
            self.lat_all.append(ms)
            if err:
                self.errors[err] = self.errors.get(err, 0) + 1
            else:
                self.lat.append(ms)
                if info is not None:
                    self.infos.append(info)


def do(client, op, res):
    with res.lock:
        res.inflight += 1
    op.t0 = time.monotonic()    # the fake's clock too (round_trips)
    t = time.perf_counter()
    status, headers, data = client.request(op.method, op.path, op.body,
                                           op.headers)
    ms = (time.perf_counter() - t) * 1000.0
    op.t1 = time.monotonic()
    with res.lock:
        res.inflight -= 1
    op.ms = ms
    if status == 0:
        op.err = "transport: " + data.decode()
        res.add(ms, op.err, None)
        return
    err, info = op.check(status, headers, data)
    op.err = err
    res.add(ms, err, info)


def run_closed(ops, concurrency, res):
    """Keeps `concurrency` requests in flight until ops run out."""
    it = iter(ops)
    lock = threading.Lock()
    base = ENV["BASE_URL"]

    def worker():
        c = Client(base)
        while True:
            with lock:
                op = next(it, None)
            if op is None:
                break
            do(c, op, res)
        c.close()

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def run_open(ops, interval_s, nthreads, res):
    """Starts one op every interval_s, whatever is still in flight."""
    ops = list(ops)
    lock = threading.Lock()
    state = {"i": 0}
    base = ENV["BASE_URL"]
    start = time.monotonic() + 0.05

    def worker():
        c = Client(base)
        while True:
            with lock:
                i = state["i"]
                if i >= len(ops):
                    break
                state["i"] += 1
            due = start + i * interval_s
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            with res.lock:
                res.lag_ms.append(max(0.0, (time.monotonic() - due) * 1000))
            do(c, ops[i], res)
        c.close()

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(nthreads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    # Nearest rank: the smallest value with at least p% of them <= it.
    k = max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v) - 1e-9) - 1))
    return v[k]


def bands(values):
    edges = [(0, 500), (500, 1500), (1500, 2500), (2500, 3500),
             (3500, None)]
    out = []
    for lo, hi in edges:
        label = "%g-%g s" % (lo / 1000.0, hi / 1000.0) if hi else \
            ">= %g s" % (lo / 1000.0)
        out.append((label, sum(1 for v in values if v >= lo and
                               (hi is None or v < hi))))
    return out


def log_offsets():
    log = ENV.get("WORK", "") + "/error.log"
    try:
        return os.path.getsize(log)
    except OSError:
        return None


def log_slice(start):
    """The programs' log lines written since byte start."""
    log = ENV.get("WORK", "") + "/error.log"
    try:
        with open(log, "rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace").splitlines()
    except (OSError, TypeError):
        return []


TWILIO_LINE = re.compile(r"twilio (GET|POST|DELETE) (\S+): (\d+) in "
                         r"([0-9.]+) ms( \(new connection\))?")
LOG_PID = re.compile(r"\[(\d+)\] (?:error|warn|info|debug) ")


def twilio_log_stats(lines):
    """Per-call timings the programs logged (LOG_LEVEL=debug)."""
    by = {}
    new = 0
    new_by_pid = collections.Counter()
    calls_by_pid = collections.Counter()
    for line in lines:
        m = TWILIO_LINE.search(line)
        if not m:
            continue
        pm = LOG_PID.search(line)
        pid = pm.group(1) if pm else "?"
        calls_by_pid[pid] += 1
        if m.group(5):
            new_by_pid[pid] += 1
        path = re.sub(r"/(CH|MB|CA)[0-9a-f]{32}", r"/\1…", m.group(2))
        path = re.sub(r"/AC[0-9a-f]{32}/", "/AC…/", path)
        key = "%s %s" % (m.group(1), path)
        by.setdefault(key, []).append(float(m.group(4)))
        if m.group(5):
            new += 1
    out = {}
    for key, v in sorted(by.items()):
        out[key] = {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99)}
    return {"calls": out, "new_connections": new,
            "new_by_pid": dict(new_by_pid), "calls_by_pid": dict(calls_by_pid),
            "logged": sum(len(v) for v in by.values())}


# --------------------------------------------------------------------------
# The session API scenarios (fetch, add, log)

JSON_HEADERS = {"Authorization": AUTH_HEADER,
                "Content-Type": "application/json"}


def json_check(want_status, test):
    """A check: want_status and test(parsed JSON) -> error text or None."""
    def check(status, headers, data):
        if status != want_status:
            return "HTTP %d %s" % (status, error_code(data)), None
        try:
            j = json.loads(data)
        except ValueError:
            return "%d not JSON" % status, None
        return test(j), None
    return check


def fetch_op(sid, parties):
    def test(j):
        ps = j.get("participants")
        if j.get("sid") != sid:
            return "200 of another session"
        if not isinstance(ps, list) or len(ps) != parties:
            return "200 with %s participants, not %d" % (
                len(ps) if isinstance(ps, list) else "no", parties)
        return None
    op = Op("GET", "/sessions/" + sid, None,
            {"Authorization": AUTH_HEADER}, json_check(200, test))
    op.keys = {sid}
    return op


def add_op(sid, address):
    def test(j):
        ps = j.get("participants")
        if not isinstance(ps, list) or len(ps) != 1 or \
                ps[0].get("address") != address or \
                not ps[0].get("proxyAddress"):
            return "201 with wrong participants"
        return None
    op = Op("POST", "/sessions/%s/participants" % sid,
            json.dumps({"address": address}).encode(), JSON_HEADERS,
            json_check(201, test))
    op.keys = {sid, address}
    return op


def log_op(sid, messages):
    def test(j):
        ms = j.get("messages")
        if not isinstance(ms, list) or len(ms) != messages:
            return "200 with %s messages, not %d" % (
                len(ms) if isinstance(ms, list) else "no", messages)
        return None
    op = Op("GET", "/sessions/%s/messages" % sid, None,
            {"Authorization": AUTH_HEADER}, json_check(200, test))
    op.keys = {sid}
    return op


def message_op(sid, k):
    return Op("POST", "/sessions/%s/messages" % sid,
              json.dumps({"body": "bench message %d" % (k + 1),
                          "author": "bench"}).encode(), JSON_HEADERS,
              json_check(201, lambda j: None if j.get("sid") else
                         "201 without sid"))


def setup_ops(ops, what):
    """Runs untimed setup requests (16 in flight); exits on any error."""
    res = Results()
    run_closed(ops, 16, res)
    if res.errors:
        sys.exit("bench setup (%s) failed: %s" % (what, ", ".join(
            "%s x%d" % (k, v) for k, v in sorted(res.errors.items()))))
    return res


def setup_api_scenario(sc, nums):
    """Makes the sessions (and messages) of a fetch/add/log scenario before
    the timed part; returns (ops, the sids made)."""
    if sc["op"] == "ops":
        return setup_ops_scenario(sc, nums)
    n = sc["count"]
    if sc["op"] == "add":
        # A session takes per_session adds, and at least one session per
        # client in flight, so that no two ops at once touch one session.
        k = max(-(-n // sc["per_session"]), sc["concurrency"] + 1)
    else:
        k = sc["sessions"]
    res = setup_ops([session_op(nums.many(sc["parties"]))
                     for _ in range(k)], "sessions")
    sids = [i["sid"] for i in res.infos]
    if sc["op"] == "log":
        setup_ops([message_op(sid, m) for sid in sids
                   for m in range(sc["messages"])], "messages")
    ops = []
    for i in range(n):
        sid = sids[i % len(sids)]
        if sc["op"] == "fetch":
            ops.append(fetch_op(sid, sc["parties"]))
        elif sc["op"] == "add":
            # Fresh numbers in sequence, clear of the pool's +1415555010x.
            ops.append(add_op(sid, "+1415555%04d" % (2000 + i)))
        else:
            ops.append(log_op(sid, sc["messages"]))
    return ops, sids


# The ops scenario's rows: label, and the sequential round trips expected
# (None: not stated).  Its ops run in this order, all of one row together.
OPS_ROWS = [
    ("GET /sessions/{id}", None),
    ("GET /sessions?pageSize=50", None),
    ("GET /sessions?address=E164", None),
    ("POST /sessions/{id} friendlyName", 1),
    ("POST /sessions/{id} mode", 2),
    ("DELETE /sessions/{id}", None),
    ("GET /sessions/{id}/participants", None),
    ("POST /sessions/{id}/participants", None),
    ("DELETE .../participants/{E164} added", 2),
    ("DELETE .../participants/{E164} creator", 3),
    ("POST /sessions/{id}/messages", None),
    ("POST .../participants/{E164}/messages", None),
    ("GET /sessions/{id}/messages", None),
]


def api_op(method, path, body, want_status, test, keys):
    """An op of the session API: want_status, test(parsed JSON) -> error
    text or None (no body expected when want_status is 204)."""
    if want_status == 204:
        def check(status, headers, data):
            if status != 204:
                return "HTTP %d %s" % (status, error_code(data)), None
            return (None if not data else "204 with a body"), None
    else:
        check = json_check(want_status, test)
    op = Op(method, path, json.dumps(body).encode() if body is not None
            else None, JSON_HEADERS if body is not None else
            {"Authorization": AUTH_HEADER}, check)
    op.keys = set(keys)
    return op


def list_test(key, at_least=0, at_most=None):
    def test(j):
        v = j.get(key)
        if not isinstance(v, list) or len(v) < at_least or \
                (at_most is not None and len(v) > at_most):
            return "200 with %s %s" % (len(v) if isinstance(v, list)
                                       else "no", key)
        if "nextPageToken" not in j:
            return "200 without nextPageToken"
        return None
    return test


def setup_ops_scenario(sc, nums):
    """The ops scenario: sessions for each operation, made before timing.

    `sessions` 2-person sessions (with a message each) are read, renamed,
    messaged; `messages` messages are posted to two more for GET .../messages;
    a fresh 2-person session for each mode change and each DELETE; a 3-person
    one for each removal of a creation member; one per `per_session` adds
    of fresh numbers, which the next row removes again.  Returns (ops in
    OPS_ROWS order, each with .row, the sids made)."""
    n = sc["count"]
    kinds = [("read", sc["sessions"], 2), ("log", 2, 2), ("mode", n, 2),
             ("delete", n, 2), ("add", -(-n // sc["per_session"]), 2),
             ("creator", n, 3)]
    made = {}
    for kind, k, parties in kinds:
        addrs = [nums.many(parties) for _ in range(k)]
        res = setup_ops([session_op(a) for a in addrs], kind + " sessions")
        # setup_ops runs 16 at once: match answers to addresses by sid.
        by_addr = {tuple(sorted(i["proxies"])): i["sid"] for i in res.infos}
        made[kind] = [(by_addr[tuple(sorted(a))], a) for a in addrs]
    setup_ops([message_op(sid, m) for sid, _ in made["log"]
               for m in range(sc["messages"])], "messages")
    read, m = made["read"], sc["messages"]
    added = [(made["add"][i // sc["per_session"]][0], nums.one())
             for i in range(n)]

    def pick(i):
        return read[i % len(read)]

    def plus(a):
        return urllib.parse.quote(a, safe="")

    rows = [[] for _ in OPS_ROWS]
    for i in range(n):
        sid, people = pick(i)
        name = "bench renamed %d" % i
        rows[0].append(fetch_op(sid, 2))
        rows[1].append(api_op("GET", "/sessions?pageSize=50", None, 200,
                              list_test("sessions", 1, 50), {"*"}))
        rows[2].append(api_op(
            "GET", "/sessions?address=" + plus(people[0]), None, 200,
            list_test("sessions", 1), {"*"}))
        rows[3].append(api_op(
            "POST", "/sessions/" + sid, {"friendlyName": name}, 200,
            lambda j, name=name: None if j.get("friendlyName") == name
            else "200 with another friendlyName", {sid}))
        msid = made["mode"][i][0]
        rows[4].append(api_op(
            "POST", "/sessions/" + msid, {"mode": "voice-only"}, 200,
            lambda j: None if j.get("mode") == "voice-only"
            else "200 with mode %s" % j.get("mode"), {msid}))
        dsid = made["delete"][i][0]
        rows[5].append(api_op("DELETE", "/sessions/" + dsid, None, 204,
                              None, {dsid}))
        rows[6].append(api_op(
            "GET", "/sessions/%s/participants" % sid, None, 200,
            lambda j: None if isinstance(j.get("participants"), list) and
            len(j["participants"]) == 2 else "200 without the 2 people",
            {sid}))
        asid, a = added[i]
        rows[7].append(add_op(asid, a))
        rows[8].append(api_op(
            "DELETE", "/sessions/%s/participants/%s" % (asid, plus(a)),
            None, 204, None, {asid, a}))
        csid, cpeople = made["creator"][i]
        rows[9].append(api_op(
            "DELETE", "/sessions/%s/participants/%s" % (csid,
                                                        plus(cpeople[0])),
            None, 204, None, {csid, cpeople[0]}))
        op = message_op(sid, i)
        op.keys = {sid}
        rows[10].append(op)
        rows[11].append(api_op(
            "POST", "/sessions/%s/participants/%s/messages"
            % (sid, plus(people[1])), {"body": "bench text %d" % i}, 201,
            lambda j: None if j.get("sid") else "201 without sid",
            {sid, people[1]}))
        lsid = made["log"][i % 2][0]
        op = log_op(lsid, m)
        rows[12].append(op)
    ops = []
    for k, row in enumerate(rows):
        for op in row:
            op.row = k
            ops.append(op)
    return ops, [sid for v in made.values() for sid, _ in v]


def ops_rows(ops):
    """The ops scenario's table rows, from each op's latency, verdict and
    share of the fake's log (round_trips)."""
    out = []
    for k, (label, want) in enumerate(OPS_ROWS):
        mine = [op for op in ops if op.row == k]
        lat = [op.ms for op in mine if getattr(op, "err", 1) is None]
        done = [op for op in mine if getattr(op, "trips", None) is not None]
        kinds = collections.Counter(op.err for op in mine
                                    if getattr(op, "err", None))
        out.append({
            "label": label, "n": len(mine), "ok": len(lat),
            "errors": len(mine) - len(lat), "error_kinds": dict(kinds),
            "p50": pct(lat, 50), "p99": pct(lat, 99),
            "calls": float(statistics.mean(op.calls for op in done))
            if done else None,
            "trips": float(statistics.mean(op.trips for op in done))
            if done else None,
            "want_trips": want})
    return out


CONV_REF = re.compile(r"^/v1/Conversations/([^/]+)")


def request_keys(e):
    """What ties a fake log entry to an op: its conversation, its address."""
    keys = set()
    m = CONV_REF.match(e["path"])
    if m:
        keys.add(urllib.parse.unquote(m.group(1)))
    for d in (e["query"], e["form"]):
        for name in ("Address", "MessagingBinding.Address", "To"):
            keys.update(d.get(name, []))
    return keys


def clock_offset(ops, by_key, log, fake_t0, latency_ms, t0_err):
    """How far off fake_t0 is, within +-t0_err (s): the shift that puts the
    most requests inside an op of theirs, tightly (after the op was sent,
    and done L/2 before its answer), the middle of the best shifts.
    fake_t0 is known only to within the reset's own round trip, a few ms
    on a busy host: enough to hand the first request of one op to the one
    before when they run one at a time."""
    if t0_err <= 0:
        return 0.0
    half = max(latency_ms, 1.0) / 2000.0
    near = []               # per request: the (lo, hi) its ops allow
    for e in log:
        t = fake_t0 + e["t"]
        spans = [(op.t0 - t, op.t1 - half - t)
                 for k in request_keys(e) | {"*"} for op in by_key.get(k, ())
                 if op.t0 - t0_err <= t <= op.t1 + t0_err]
        if spans:
            near.append(spans)
    step = 0.00025
    k = int(t0_err / step)
    scores = []
    for i in range(-k, k + 1):
        d = i * step
        scores.append((sum(1 for spans in near if any(
            lo <= d <= hi for lo, hi in spans)), d))
    best = max(sc for sc, _ in scores)
    ds = [d for sc, d in scores if sc == best]
    return ds[len(ds) // 2]


def round_trips(ops, log, fake_t0, latency_ms, t0_err=0.0):
    """Twilio calls and sequential round trips per op, from the fake's log.

    Each request is given to the op that names its conversation or address
    (an op whose keys hold "*" takes any request: a list of conversations
    names none) and was in flight when the fake saw it start (the fake's
    "t" plus the time of the reset, fake_t0, on the same monotonic clock,
    corrected by clock_offset within t0_err).  The log has
    only start times: a request is taken to end L after its start, and a
    round trip is a run of requests each starting before the previous ones
    of the run have ended (they overlap); the next one starts a new trip.
    """
    by_key = {}
    for op in ops:
        if getattr(op, "t1", None) is None:
            continue
        op.reqs = []
        for k in op.keys:
            by_key.setdefault(k, []).append(op)
    slack = 0.005
    orphans = 0
    shift = clock_offset(ops, by_key, log, fake_t0, latency_ms, t0_err)
    fake_t0 += shift
    for e in log:
        t = fake_t0 + e["t"]
        cands = [op for k in request_keys(e) | {"*"}
                 for op in by_key.get(k, ())
                 if op.t0 - slack <= t <= op.t1 + slack]
        if not cands:
            orphans += 1
            continue
        # Several (a clock off by a few ms): the one that started last
        # before it.
        best = max(cands, key=lambda op: (op.t0 <= t, op.t0))
        best.reqs.append(e["t"])
    dur = max(latency_ms, 1.0) / 1000.0
    trips, calls = [], []
    for op in ops:
        reqs = sorted(getattr(op, "reqs", []))
        if getattr(op, "t1", None) is None:
            continue
        n, end = 0, None
        for t in reqs:
            if end is None or t >= end:
                n += 1
                end = t + dur
            else:
                end = max(end, t + dur)
        op.trips, op.calls = n, len(reqs)
        trips.append(n)
        calls.append(len(reqs))
    dist = {}
    for n in trips:
        dist[n] = dist.get(n, 0) + 1
    return {"ops": len(trips), "orphans": orphans,
            "clock_shift_ms": shift * 1000.0,
            "trips_mean": float(statistics.mean(trips)) if trips else None,
            "trips_dist": {str(k): v for k, v in sorted(dist.items())},
            "calls_mean": float(statistics.mean(calls)) if calls else None,
            "calls_dist": {str(k): v for k, v in
                           sorted(collections.Counter(calls).items())}}


def run_scenario(key, outdir):
    sc = BY_KEY[key]
    nums = Numbers()
    pool = pool_numbers()
    seeded = 0
    ops = []
    fake_t0 = t0_err = None
    made = set()
    # The warm-up: operations of the scenario's kind run first and counted
    # nowhere (the session API scenarios: their set-up, already untimed).
    warm = 0 if sc["op"] in API_OPS else sc.get(
        "warmup", max(WARMUP_MIN, -(-sc["count"] // 10)))
    warm_ops = []
    if sc["op"] in API_OPS:
        # A reset of our own, to know when the fake's clock ("t") started.
        a = time.monotonic()
        fake("POST", "reset")
        b = time.monotonic()
        fake_t0, t0_err = (a + b) / 2, (b - a) / 2 + 0.001
        fake("POST", "config", {"latency_ms": L_MS,
                                "connect_delay_ms": CONNECT_MS})
        ops, sids = setup_api_scenario(sc, nums)
        made = set(sids)
        seeded = len(sids)
    elif sc["op"] == "session":
        shared = nums.one() if sc.get("shared") else None
        # One person in every session would run the pool out: the warm-up
        # of "same person" is of strangers.
        warm_ops = [session_op(nums.many(sc["parties"])) for _ in range(warm)]
        for _ in range(sc["count"]):
            addrs = nums.many(sc["parties"])
            if shared:
                addrs[0] = shared
            ops.append(session_op(addrs))
    elif sc["op"] == "preevent":
        convs, people = [], []
        rng = random.Random()
        for _ in range(64):
            pair = nums.many(2)
            people.append(pair[0])
            convs.append({"friendly_name": "bench", "participants": [
                {"address": a, "proxy_address": rng.choice(pool)}
                for a in pair]})
        sids = fake("POST", "seed", {"conversations": convs})["sids"]
        seeded = len(sids)
        calls = [preevent_op(sc["path"], sids[i % len(sids)],
                             people[i % len(sids)])
                 for i in range(sc["count"] + warm)]
        warm_ops, ops = calls[:warm], calls[warm:]
    else:
        convs, calls = [], []
        rng = random.Random()
        for _ in range(sc["count"] + warm):
            people = nums.many(sc["parties"])
            proxies = [rng.choice(pool) for _ in people]
            convs.append({"friendly_name": "bench", "participants": [
                {"address": a, "proxy_address": p}
                for a, p in zip(people, proxies)]})
            calls.append(inbound_op(people[0], proxies[0],
                                    list(zip(people[1:], proxies[1:]))))
        for i in range(0, len(convs), 500):
            fake("POST", "seed", {"conversations": convs[i:i + 500]})
        seeded = len(convs)
        warm_ops, ops = calls[:warm], calls[warm:]
    conc = sc.get("concurrency", 0)
    if sc.get("cold"):
        # Every connection earlier scenarios left open is closed, as
        # Twilio's side closes idle ones.
        fake("POST", "close-idle")
        time.sleep(0.2)
    wres = Results()
    if warm_ops:
        if sc["kind"] == "open":
            run_open(warm_ops, sc["interval_ms"] / 1000.0, sc["threads"],
                     wres)
            time.sleep(sc["interval_ms"] / 1000.0)
        else:
            run_closed(warm_ops, conc, wres)
    if sc.get("fault"):
        fake("POST", "faults", {"faults": [sc["fault"]]})

    res = Results()
    watch = Watch(pss_when=(lambda: res.inflight >= conc)
                  if sc.get("pss") else None)
    # The connections open now, their peers' pids looked up (GET
    # /_fake/connections): every later id is a connection made after the
    # warm-up.
    conns0 = fake("GET", "connections")
    log0 = log_offsets()
    stats0 = fake("GET", "stats")
    watch.start()
    if sc["kind"] == "open":
        run_open(ops, sc["interval_ms"] / 1000.0, sc["threads"], res)
    else:
        run_closed(ops, conc, res)
    w = watch.finish()
    stats1 = fake("GET", "stats")
    conns1 = fake("GET", "connections")
    mem_end = {p: smaps_rollup(p) for p in watch.progs}
    time.sleep(0.2)         # let the last log lines land
    logstats = twilio_log_stats(log_slice(log0))
    conn_stats = new_connections(conns0, conns1, watch.progs)
    faults = fake("GET", "faults")["faults"] if sc.get("fault") else []
    retries = retry_analysis(fake("GET", "requests")) if faults else None
    state = fake("GET", "state")
    trips = None
    if sc["op"] in API_OPS:
        log = [e for e in fake("GET", "requests")
               if fake_t0 + e["t"] >= watch.t0 - 0.005]
        trips = round_trips(ops, log, fake_t0, L_MS, t0_err)

    ok_sids = {i["sid"] for i in res.infos + wres.infos if i}
    convs = state["conversations"]
    if sc["op"] in API_OPS:
        left = [c for c in convs if c["sid"] not in made]
    elif sc["op"] == "session":
        left = [c for c in convs if c["sid"] not in ok_sids]
    else:
        left = convs[seeded:]
    short = [c["sid"] for c in convs if c["sid"] in ok_sids and
             len(c["participants"]) != sc["parties"]]

    extra = {}
    if sc.get("shared"):
        proxies = [i["proxies"].get(shared) for i in res.infos]
        extra["shared_proxies"] = proxies
        extra["shared_distinct"] = len(set(proxies))
    n = len(ops)
    ok = len(res.lat)
    out = {
        "key": key, "name": sc["name"], "what": sc["what"],
        "kind": sc["kind"], "op": sc["op"], "parties": sc["parties"],
        "count": n, "concurrency": conc, "ok": ok,
        "errors": sum(res.errors.values()), "error_kinds": res.errors,
        "p50": pct(res.lat, 50), "p90": pct(res.lat, 90),
        "p99": pct(res.lat, 99), "max": max(res.lat) if res.lat else None,
        "p99_all": pct(res.lat_all, 99),
        "rate": n / w["wall_s"] if w["wall_s"] > 0 else None,
        "twilio_calls": stats1["requests"] - stats0["requests"],
        "connections": stats1["connections"] - stats0["connections"],
        "fake_in_flight_max": stats1.get("in_flight_max"),
        "warmup": len(warm_ops), "warmup_errors": sum(wres.errors.values()),
        "connect_delay_ms": CONNECT_MS, "tls": ENV.get("BENCH_TLS") == "1",
        "new_conns": conn_stats,
        "mem_end": {str(p): {"name": watch.progs[p],
                             "rss_kb": (m or {}).get("Rss"),
                             "pss_kb": (m or {}).get("Pss"),
                             "anon_kb": (m or {}).get("Anonymous")}
                    for p, m in mem_end.items()},
        "left_behind": len(left), "short_sessions": len(short),
        "seeded": seeded, "watch": w, "log": logstats,
        "lag_max_ms": max(res.lag_ms) if res.lag_ms else None,
        "lag_p99_ms": pct(res.lag_ms, 99),
        "lat_bands": bands(res.lat_all),
        "faults": faults, "retries": retries, "latency_ms": L_MS,
        "extra": extra, "trips": trips,
        "want_calls": sc.get("calls"), "want_trips": sc.get("trips"),
        "op_rows": ops_rows(ops) if sc["op"] == "ops" else None,
        "procs_per_program": ENV.get("PROCS", "?"),
        "worker_threads": ENV.get("WORKER_THREADS", "?"),
        "log_level": ENV.get("BENCH_LOG_LEVEL", "?"),
    }
    ours = [p for p in w["procs"] if p["ours"]]
    out["cpu_ms_per_op"] = sum(p["cpu_ms"] for p in ours) / max(1, n)
    out["peak_rss_kb"] = max([p["hwm_kb"] or 0 for p in ours] or [0])
    out["bottleneck"] = bottleneck(out)
    # Files sort in the order the scenarios ran.
    path = os.path.join(outdir, "%02d-%s.json" % (
        len(glob.glob(os.path.join(outdir, "[0-8]*.json"))), key))
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("  %-13s %5d/%-5d ok  p50 %s ms  %s/s  (%.1f s)  bottleneck: %s"
          % (sc["name"], ok, n, fmt(out["p50"]), fmt(out["rate"]),
             w["wall_s"], out["bottleneck"]), flush=True)
    if trips:
        print("    Twilio per request: %s calls, %s round trips (fake's log);"
              " p50/L = %s" % (fmt(trips["calls_mean"], 2),
                               fmt(trips["trips_mean"], 2),
                               fmt(p50_trips(out), 2)), flush=True)
    if res.errors:
        print("    errors: %s" % ", ".join("%s x%d" % (k, v) for k, v in
                                          sorted(res.errors.items())),
              flush=True)


def new_connections(before, after, progs):
    """Connections the fake accepted after `before` was taken that carried
    an API request, by the pid at their other end: {"total", "by_pid":
    {pid: n}, "unknown": closed before GET /_fake/connections could look
    their pid up, "other": held by a process that is not one of ours}."""
    last = max([c["id"] for c in before] or [0])
    by_pid = collections.Counter()
    unknown = other = total = 0
    for c in after:
        if c["id"] <= last or not c["requests"]:
            continue
        total += 1
        if c["pid"] is None:
            unknown += 1
        elif c["pid"] in progs:
            by_pid[str(c["pid"])] += 1
        else:
            other += 1
    return {"total": total, "by_pid": dict(by_pid), "unknown": unknown,
            "other": other}


def other_pct(w):
    """CPU (% of one core) used by processes the bench does not watch."""
    return max(0.0, w["machine_busy_pct"] * NCPU -
               sum(p["pct"] for p in w["procs"]))


def retry_analysis(log):
    """How the programs retried the faulted calls, from the fake's log.

    A call is identified by method, path and parameters (every session has
    its own friendlyName, every person their own number).
    """
    calls = {}
    for e in log:
        params = sorted((k, tuple(v)) for d in (e["query"], e["form"])
                        for k, v in d.items())
        calls.setdefault((e["method"], e["path"], tuple(params)),
                         []).append((e["t"], e["status"]))
    runs = {}           # longest run of faulted answers -> calls
    gaps = {}           # retry number -> waits (ms) before it
    for attempts in calls.values():
        run = best = 0
        for i, (t, status) in enumerate(attempts):
            if status == 429:
                run += 1
                best = max(best, run)
                if i + 1 < len(attempts):
                    gaps.setdefault(run, []).append(
                        (attempts[i + 1][0] - t) * 1000.0)
            else:
                run = 0
        if best:
            runs[best] = runs.get(best, 0) + 1
    return {"runs": runs, "gaps": {k: {"n": len(v), "p50": pct(v, 50)}
                                   for k, v in gaps.items()}}


def call_p50(r):
    """p50 of every Twilio call the programs logged (None without a log)."""
    calls = r["log"]["calls"]
    n = sum(v["n"] for v in calls.values())
    if not n:
        return None
    # The p50 of the calls' p50s, weighted by their counts.
    vals = sorted((v["p50"], v["n"]) for v in calls.values())
    acc = 0
    for p50, k in vals:
        acc += k
        if acc * 2 >= n:
            return p50
    return vals[-1][0]


def bottleneck(r):
    w = r["watch"]
    hot = sorted((p for p in w["procs"] if p["pct"] >= BUSY_PCT),
                 key=lambda p: -p["pct"])
    parts = []
    for p in hot:
        label = p["name"]
        if label == "fake Twilio":
            label = "fake Twilio (not ours)"
        elif label == "load generator":
            label = "load generator (not ours)"
        elif p.get("ours"):
            label = "%s[%d]" % (p["name"], p["pid"])
        parts.append("%s %.0f%%" % (label, p["pct"]))
    if r.get("lag_max_ms") is not None and r["lag_max_ms"] > 50 and \
            not any(p["name"] == "load generator" for p in hot):
        parts.append("load generator (not ours): sent up to %.0f ms late"
                     % r["lag_max_ms"])
    c50 = call_p50(r)
    # Calls on a new connection wait the connect delay too: when most do,
    # the p50 expected is L plus that delay.
    lg = r.get("log") or {}
    cd = r.get("connect_delay_ms") or 0
    share = lg["new_connections"] / lg["logged"] if lg.get("logged") else 0
    expect = r["latency_ms"] + (cd if share >= 0.5 else 0)
    if c50 is not None and c50 > expect + 5 and \
            not any(p["name"] == "fake Twilio" for p in hot):
        parts.append("fake Twilio (not ours): its calls take p50 %.0f ms "
                     "for L = %g%s" % (
                         c50, r["latency_ms"],
                         " + %g connect delay (%.0f%% of calls on a new "
                         "connection)" % (cd, share * 100)
                         if expect > r["latency_ms"] else ""))
    elif c50 is not None and c50 > r["latency_ms"] + 5 and not parts:
        parts.append("new connections: %.0f%% of calls, each + %g ms "
                     "(calls p50 %.0f ms for L = %g)"
                     % (share * 100, cd, c50, r["latency_ms"]))
    if not parts:
        parts.append("none (offered load)" if r["kind"] == "open" else
                     "none (latency-bound)")
    out = ", ".join(parts)
    if w["machine_busy_pct"] >= 90:
        other = other_pct(w)
        out += "; host %.0f%% busy%s" % (
            w["machine_busy_pct"],
            " (%.0f%% of a core outside the bench)" % other
            if other >= 25 else "")
    return out


# --------------------------------------------------------------------------
# Report

def fmt(v, d=0):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.*f" % (d, v)
    return str(v)


def mib(kb, d=1):
    return "-" if kb is None else "%.*f" % (d, kb / 1024.0)


COLS = [("scenario", "<"), ("n", ">"), ("ok", ">"), ("err", ">"),
        ("p50", ">"), ("p90", ">"), ("p99", ">"), ("max", ">"),
        ("per s", ">"), ("CPU ms/op", ">"), ("peak RSS MiB", ">"),
        ("Twilio/op", ">"), ("RT/op", ">"), ("p50/L", ">"),
        ("new conn/op", ">"), ("per process", "<"),
        ("sessions RSS/PSS MiB", "<"), ("left", ">"),
        ("bottleneck", "<")]


def table(rows):
    cells = [[c for c, _ in COLS]] + rows
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLS))]
    lines = []
    for k, r in enumerate(cells):
        out = []
        for i, (c, align) in enumerate(COLS):
            if i == len(COLS) - 1:
                out.append(r[i])
            elif align == "<":
                out.append(r[i].ljust(widths[i]))
            else:
                out.append(r[i].rjust(widths[i]))
        lines.append("  ".join(out).rstrip())
        if k == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def p50_trips(r):
    """p50 latency over L: sequential Twilio round trips, roughly."""
    if r.get("p50") is None or not r.get("latency_ms"):
        return None
    return r["p50"] / r["latency_ms"]


def new_per_op(r):
    """(new connections per op after the warm-up, source): the programs'
    debug log when it has their Twilio calls, else the fake's connection
    list, else the fake's counter."""
    n = max(1, r["count"])
    lg = r.get("log") or {}
    if lg.get("logged") and "new_by_pid" in lg:
        return sum(lg["new_by_pid"].values()) / n, "log"
    nc = r.get("new_conns")
    if nc:
        return nc["total"] / n, "fake"
    return r["connections"] / n, "fake counter"


def per_process(r):
    """New connections per op of each process that called Twilio, by pid
    ("log": from the debug log; else the fake's list), "+"-joined."""
    n = max(1, r["count"])
    lg = r.get("log") or {}
    if lg.get("logged") and "new_by_pid" in lg:
        pids = sorted(set(lg.get("calls_by_pid", {})) |
                      set(lg["new_by_pid"]), key=lambda p: (len(p), p))
        return "+".join("%.2f" % (lg["new_by_pid"].get(p, 0) / n)
                        for p in pids) or "-"
    nc = r.get("new_conns")
    if nc and nc["by_pid"]:
        return "+".join("%.2f" % (v / n) for _, v in sorted(
            nc["by_pid"].items(), key=lambda kv: int(kv[0])))
    return "-"


def mem_cell(r):
    """RSS/PSS (MiB) of each sessions.fcgi process at the scenario's end."""
    m = r.get("mem_end") or {}
    cells = ["%s/%s" % (mib(v["rss_kb"]), mib(v["pss_kb"]))
             for p, v in sorted(m.items(), key=lambda kv: int(kv[0]))
             if v["name"] == "sessions.fcgi"]
    return " ".join(cells) or "-"


def row(r):
    n = max(1, r["count"])
    return [r["name"], str(r["count"]), str(r["ok"]), str(r["errors"]),
            fmt(r["p50"], 1), fmt(r["p90"], 1), fmt(r["p99"], 1),
            fmt(r["max"], 1), fmt(r["rate"], 1),
            fmt(r["cpu_ms_per_op"], 3), mib(r["peak_rss_kb"]),
            fmt(r["twilio_calls"] / n, 2),
            fmt((r.get("trips") or {}).get("trips_mean"), 2),
            fmt(round(p50_trips(r)) if p50_trips(r) is not None else None),
            fmt(new_per_op(r)[0], 3), per_process(r), mem_cell(r),
            str(r["left_behind"]), bottleneck(r)]


OPS_COLS = [("operation", "<"), ("n", ">"), ("ok", ">"), ("err", ">"),
            ("p50", ">"), ("p99", ">"), ("Twilio/op", ">"), ("RT/op", ">"),
            ("p50/L", ">")]


def ops_table(r):
    """The ops scenario's table: one row per operation of the session API."""
    L = r["latency_ms"]
    rows = [[o["label"], str(o["n"]), str(o["ok"]), str(o["errors"]),
             fmt(o["p50"], 1), fmt(o["p99"], 1), fmt(o["calls"], 2),
             fmt(o["trips"], 2),
             fmt(o["p50"] / L if o["p50"] is not None and L else None, 2)]
            for o in r["op_rows"]]
    cells = [[c for c, _ in OPS_COLS]] + rows
    widths = [max(len(x[i]) for x in cells) for i in range(len(OPS_COLS))]
    lines = ["session API, one request at a time (%s): latencies in ms of "
             "the successful requests; Twilio/op and RT/op (sequential "
             "round trips)\nfrom the fake's log; p50/L to 2 places"
             % r["name"]]
    for k, x in enumerate(cells):
        lines.append("  ".join(x[i].ljust(widths[i]) if a == "<" else
                               x[i].rjust(widths[i])
                               for i, (_, a) in enumerate(OPS_COLS)).rstrip())
        if k == 0:
            lines.append("-" * len(lines[-1]))
    return "\n".join(lines)


def load(outdir):
    out = {}
    for path in sorted(glob.glob(os.path.join(outdir, "*.json"))):
        with open(path) as f:
            r = json.load(f)
        key, k = r["key"], 1
        while key in out:           # the same scenario run again
            k += 1
            key = "%s#%d" % (r["key"], k)
            r["name"] = "%s #%d" % (r["name"].split(" #")[0], k)
        out[key] = r
    return out


def verdict(ok):
    return "met" if ok else "MISSED"


def report(outdir):
    rs = load(outdir)
    soak = rs.pop("soak", None)
    if not rs and not soak:
        print("no results in %s" % outdir)
        return
    L = L_MS
    any_r = next(iter(rs.values()), soak)
    L = any_r.get("latency_ms", L)
    print()
    if rs:
        cd = any_r.get("connect_delay_ms")
        print("masked benchmark: Twilio latency L = %g ms%s%s, PROCS=%s, "
              "WORKER_THREADS=%s, LOG_LEVEL=%s, %d CPUs"
              % (L, " over TLS" if any_r.get("tls", ENV.get("BENCH_TLS") ==
                                         "1") else "",
                 ", new connection +%g ms (its first answer)" % cd
                 if cd else "",
                 any_r.get("procs_per_program", "?"),
                 any_r.get("worker_threads", "?"),
                 any_r.get("log_level", "?"), NCPU))
        print("latencies in ms (successful requests); per s: requests per "
              "second of wall time; /op: per session, inbound call or request;\n"
              "every figure is after a warm-up of the scenario's own kind "
              "(max(%d, 10%%) operations; sparse: 1; session API: its "
              "set-up), not counted;\n"
              "CPU: our .fcgi processes; peak RSS: largest VmHWM of one of "
              "them during the scenario (reset at its start, but memory\n"
              "kept from earlier scenarios counts); Twilio calls as the fake "
              "counts them; new conn/op: connections our programs opened\n"
              "(their debug log's \"(new connection)\" lines, summed over "
              "processes), per process: the same split by process (by pid); "
              "sessions RSS/PSS:\neach sessions.fcgi process at the end "
              "(smaps_rollup); left: conversations at the fake that no 200 "
              "answer returned;\nRT/op: sequential Twilio round trips per "
              "request from the fake's log (session API scenarios), p50/L: "
              "p50 over L, rounded" % WARMUP_MIN)
        print()
        print(table([row(r) for r in rs.values()]))
        for r in rs.values():
            if r.get("op_rows"):
                print()
                print(ops_table(r))
    targets = []

    def target(label, value, ok, where):
        targets.append((label, value, verdict(ok) if ok is not None else "-",
                        where))

    lt, cl = rs.get("loadtest"), rs.get("closed")
    p10, i1, ic = rs.get("party10"), rs.get("inbound1"), rs.get("inboundconf")
    sp, tm = rs.get("sameperson"), rs.get("429")
    for r in (lt, cl):
        if r and r["p50"] is not None:
            target("2-party p50 <= 2L+10 = %g ms" % (2 * L + 10),
                   "%.1f ms" % r["p50"], r["p50"] <= 2 * L + 10, r["name"])
    for r in rs.values():
        if r["op"] != "session" or r["p50"] is None:
            continue
        if r["parties"] == 10:
            target("10-party p50 <= 2L+25 = %g ms" % (2 * L + 25),
                   "%.1f ms" % r["p50"], r["p50"] <= 2 * L + 25, r["name"])
        elif r["parties"] == 50:
            target("50-party p50 <= 3L = %g ms" % (3 * L),
                   "%.1f ms" % r["p50"], r["p50"] <= 3 * L, r["name"])
    if i1 and i1["p50"] is not None:
        target("inbound 1:1 p50 <= 2L+10 = %g ms" % (2 * L + 10),
               "%.1f ms" % i1["p50"], i1["p50"] <= 2 * L + 10, i1["name"])
    if ic and ic["p50"] is not None:
        rt = ic["p50"] / L if L else None
        target("conference: 3 round trips (p50 <= 3L+15 = %g ms)"
               % (3 * L + 15), "%.1f ms = %s x L" % (ic["p50"], fmt(rt, 2)),
               ic["p50"] <= 3 * L + 15, ic["name"])
    for r in (lt, cl):
        if r:
            per = r["twilio_calls"] / max(1, r["count"])
            target("<= 5 Twilio calls per 2-party session", "%.2f" % per,
                   per <= 5.0, r["name"])
    for r in rs.values():
        if r["key"].split("#")[0] == "sparse":
            continue
        per, src = new_per_op(r)
        target("after warm-up <= 0.1 new connections per %s" % (
            "session" if r["op"] == "session" else "call" if r["op"] ==
            "inbound" else "request"), "%.3f (%s)" % (per, src),
            per <= 0.1, r["name"])
    if cl:
        target("CPU <= 0.5 ms per session", "%.3f ms" % cl["cpu_ms_per_op"],
               cl["cpu_ms_per_op"] <= 0.5, cl["name"])
        procs = [p for p in cl["watch"]["procs"] if p["ours"]]
        worst = max(procs, key=lambda p: p["hwm_kb"] or 0) if procs else None
        if worst:
            target("<= 8 MiB RSS per worker process",
                   "%s MiB (%s)" % (mib(worst["hwm_kb"], 2), worst["name"]),
                   worst["hwm_kb"] <= 8 * 1024, cl["name"])
            m = re.search(r"VmRSS (\d+) kB", ENV.get("RSS_FLOOR", ""))
            if m:
                target("  floor: a process with libcurl only",
                       "%s MiB" % mib(int(m.group(1)), 2), None,
                       "tests/bench/rss_floor.c")
        pss = cl["watch"]["pss_max_kb"]
        target("<= 32 MiB PSS total at 32 in flight",
               "%s MiB" % mib(pss, 2) if pss else "no sample",
               pss <= 32 * 1024 if pss else None, cl["name"])
        target(">= 250 sessions/s closed loop", "%.1f /s" % cl["rate"],
               cl["rate"] >= 250, cl["name"])
    if lt and lt["p99"] is not None:
        target("load test p99 <= 2L+20 = %g ms" % (2 * L + 20),
               "%.1f ms" % lt["p99"], lt["p99"] <= 2 * L + 20, lt["name"])
    if tm:
        ok = tm["errors"] == 0 and tm["p99"] is not None and tm["p99"] < 1500
        target("429 scenario: p99 < 1.5 s, all ok",
               "p99 %s ms, %d/%d ok" % (fmt(tm["p99"], 1), tm["ok"],
                                         tm["count"]), ok, tm["name"])
    if sp:
        d = sp["extra"].get("shared_distinct", 0)
        target("same person: all ok, distinct proxy each",
               "%d/%d ok, %d distinct proxies" % (sp["ok"], sp["count"], d),
               sp["errors"] == 0 and d == sp["count"], sp["name"])
    if soak:
        target("soak: RSS after %dk - after 1k <= 1 MiB"
               % (soak["requests"] // 1000),
               "%s -> %s MiB (%+d kB)" % (
                   mib(soak["rss_1k_kb"], 2), mib(soak["rss_end_kb"], 2),
                   soak["rss_end_kb"] - soak["rss_1k_kb"]),
               soak["rss_end_kb"] - soak["rss_1k_kb"] <= 1024, "soak")
    for r in rs.values():
        t = r.get("trips")
        if not t or r.get("want_calls") is None:
            continue
        target("%s: %d Twilio call%s, %d round trip%s per request"
               % (r["name"], r["want_calls"], "s"[:r["want_calls"] != 1],
                  r["want_trips"], "s"[:r["want_trips"] != 1]),
               "%s calls, %s trips (p50 %s ms = %s x L)" % (
                   fmt(r["twilio_calls"] / max(1, r["count"]), 2),
                   fmt(t["trips_mean"], 2), fmt(r["p50"], 1),
                   fmt(p50_trips(r), 2)),
               r["errors"] == 0 and t["trips_mean"] is not None and
               abs(r["twilio_calls"] / max(1, r["count"]) -
                   r["want_calls"]) < 0.05 and
               abs(t["trips_mean"] - r["want_trips"]) < 0.05, r["name"])
    for r in rs.values():
        for o in r.get("op_rows") or ():
            if o["want_trips"] is None:
                continue
            target("%s: %s: %d round trip%s" % (
                r["name"], o["label"], o["want_trips"],
                "s"[:o["want_trips"] != 1]),
                "%s trips, %s calls (p50 %s ms)" % (
                    fmt(o["trips"], 2), fmt(o["calls"], 2), fmt(o["p50"], 1)),
                o["errors"] == 0 and o["trips"] is not None and
                abs(o["trips"] - o["want_trips"]) < 0.05, r["name"])
    if targets:
        print()
        print("Targets (informational, no pass/fail):")
        w0 = max(len(t[0]) for t in targets)
        w1 = max(len(t[1]) for t in targets)
        for label, value, v, where in targets:
            print("  %-*s  %-*s  %-6s  (%s)" % (w0, label, w1, value, v,
                                                where))
    if soak:
        print_soak(soak)
    if rs:
        print()
        print("Notes:")
        for r in rs.values():
            notes(r)


def notes(r):
    w = r["watch"]
    n = max(1, r["count"])
    print("  %s: %s." % (r["name"], r["what"]))
    cpu = sorted(w["procs"], key=lambda p: -p["cpu_ms"])
    print("    CPU over %.2f s (%% of one core): %s; host %.0f%% busy of %d "
          "CPUs" % (w["wall_s"], ", ".join(
              "%s %.0f%%" % (("%s[%d]" % (p["name"], p["pid"]))
                             if p["ours"] else p["name"], p["pct"])
              for p in cpu if p["cpu_ms"] > 0 or p["ours"]),
              w["machine_busy_pct"], NCPU))
    if other_pct(w) >= 25:
        print("    processes outside the bench used %.0f%% of a core during "
              "the run: the figures may be disturbed" % other_pct(w))
    if "ours_switches" in w:
        print("    our programs per op: %.3f ms user + %.3f ms system CPU, "
              "%.1f context switches%s" % (
                  w["ours_user_ms"] / n, w["ours_sys_ms"] / n,
                  w["ours_switches"] / n,
                  " (%.1f voluntary: a thread waited; the others, "
                  "preempted)" % (w["ours_voluntary"] / n)
                  if "ours_voluntary" in w else ""))
    light = [p for p in w["procs"] if p["name"] == "lighttpd"]
    if light:
        print("    lighttpd CPU %.3f ms/op (not in CPU ms/op)"
              % (light[0]["cpu_ms"] / n))
    if r["errors"]:
        print("    errors: %s" % ", ".join("%s x%d" % (k, v) for k, v in
                                          sorted(r["error_kinds"].items())))
    for o in r.get("op_rows") or ():
        if o["errors"]:
            print("    %s: %s" % (o["label"], ", ".join(
                "%s x%d" % kv for kv in sorted(o["error_kinds"].items()))))
    if r["short_sessions"]:
        print("    %d ok sessions have the wrong participant count at the "
              "fake" % r["short_sessions"])
    if r["left_behind"]:
        print("    %d conversations left behind at the fake (not in any 200 "
              "answer)" % r["left_behind"])
    lg = r["log"]
    if lg["logged"]:
        calls = "; ".join("%s n=%d p50 %.1f p99 %.1f ms" % (
            k, v["n"], v["p50"], v["p99"]) for k, v in lg["calls"].items())
        print("    Twilio calls per the programs' debug log: %s" % calls)
        print("    new connections after the warm-up: %d per the log, %d per "
              "the fake's counter (which counts a kept-alive connection again "
              "when first used after a reset)" % (lg["new_connections"],
                                                   r["connections"]))
    print("    fake: %d calls, at most %s in flight at once"
          % (r["twilio_calls"], r["fake_in_flight_max"]))
    if "warmup" in r:
        print("    warm-up (not counted): %d operation%s%s; connect delay %g "
              "ms" % (r["warmup"], "s"[:r["warmup"] != 1],
                      ", %d errors" % r["warmup_errors"]
                 if r["warmup_errors"] else "", r["connect_delay_ms"]))
    progs = {p: v["name"] for p, v in (r.get("mem_end") or {}).items()}
    if lg.get("new_by_pid") is not None and (lg["new_by_pid"] or
                                            lg["calls_by_pid"]):
        print("    new connections per op by process (the programs' log): %s"
              % ", ".join("%s[%s] %.3f (%d of %d calls)" % (
                  progs.get(p, "?"), p, lg["new_by_pid"].get(p, 0) / n,
                  lg["new_by_pid"].get(p, 0), lg["calls_by_pid"].get(p, 0))
                  for p in sorted(set(lg["calls_by_pid"]) |
                                  set(lg["new_by_pid"]),
                                  key=lambda p: (len(p), p))))
    nc = r.get("new_conns")
    if nc is not None:
        print("    new connections by process (the fake's GET "
              "/_fake/connections, peer pid from /proc): %s%s%s"
              % (", ".join("%s[%s] %d" % (progs.get(p, "?"), p, v) for p, v in
                           sorted(nc["by_pid"].items(),
                                  key=lambda kv: int(kv[0]))) or "none",
                 "; %d closed before their pid was looked up" % nc["unknown"]
                 if nc["unknown"] else "",
                 "; %d of other processes" % nc["other"]
                 if nc["other"] else ""))
    mem = r.get("mem_end") or {}
    if mem:
        print("    memory at the end (smaps_rollup), RSS / PSS / anonymous: "
              "%s" % ", ".join("%s[%s] %s / %s / %s MiB" % (
                  v["name"], p, mib(v["rss_kb"], 2), mib(v["pss_kb"], 2),
                  mib(v["anon_kb"], 2)) for p, v in sorted(
                      mem.items(), key=lambda kv: int(kv[0]))
                  if v["name"] == "sessions.fcgi"))
    if r["key"].split("#")[0] == "sparse" and lg.get("logged"):
        print("    sparse: %d new connections for %d sessions, each + %g ms "
              "on its first answer; a session taken by a thread whose "
              "connections are cold (or a process that has none) pays "
              "them (every connection was closed by the fake before the "
              "warm-up)"
              % (lg["new_connections"], r["count"],
                 r.get("connect_delay_ms", 0)))
    t = r.get("trips")
    if t:
        print("    per request, from the fake's log (%d requests, %d of the "
              "fake's requests tied to none): Twilio calls %s; sequential "
              "round trips %s (a trip: requests that overlap, each taken "
              "to last L); p50/L = %s; %d sessions made before timing; "
              "the fake's clock shifted %s ms to fit"
              % (t["ops"], t["orphans"], ", ".join(
                  "%s: %d" % kv for kv in t["calls_dist"].items()),
                 ", ".join("%s: %d" % kv for kv in t["trips_dist"].items()),
                 fmt(p50_trips(r), 2), r["seeded"],
                 "%+.2f" % t["clock_shift_ms"] if "clock_shift_ms" in t
                 else "0"))
    if r["lag_max_ms"] is not None:
        print("    open loop: requests sent late by p99 %.1f ms, max %.1f ms"
              "%s" % (r["lag_p99_ms"], r["lag_max_ms"],
                      " (the generator fell behind)" if r["lag_max_ms"] > 50
                      else ""))
    if w.get("pss_max_kb"):
        ours = [p for p in w["procs"] if p["ours"]]
        print("    PSS summed over %d .fcgi processes with %d in flight: "
              "max %s MiB, median %s MiB (%d samples); max RSS per process: "
              "%s" % (len(ours), r["concurrency"], mib(w["pss_max_kb"], 2),
                      mib(w["pss_median_kb"], 2), w["pss_samples"],
                      ", ".join("%s[%d] %s MiB" % (p["name"], p["pid"],
                                                   mib(p["hwm_kb"], 2))
                                for p in ours)))
    ours = [p for p in w["procs"] if p["ours"] and p.get("rss_end")]
    if ours:
        print("    RSS at the end, anonymous + file-backed: %s" % ", ".join(
            "%s[%d] %s + %s MiB" % (p["name"], p["pid"],
                                    mib(p["rss_end"]["RssAnon"], 2),
                                    mib(p["rss_end"]["RssFile"], 2))
            for p in ours))
    if not w["peak_reset"]:
        print("    (could not reset VmHWM: peak RSS is since process start)")
    if r["op"] == "session" and lg["logged"]:
        adds = sum(v["n"] for k, v in lg["calls"].items()
                   if k.startswith("POST") and k.endswith("/Participants"))
        people = r["ok"] * r["parties"]
        if adds > people:
            print("    participant adds: %d for %d people: %d more after 50416 "
                  "(number taken) or a retry" % (adds, people, adds - people))
    if r["op"] == "session" and r["parties"] > 2 and r["connections"]:
        print("    each worker thread keeps its own connections: a thread's "
              "first %d-party session opens up to %d" % (r["parties"],
                                                         r["parties"] + 1))
    if r["faults"] and r.get("lat_bands"):
        print("    sessions by latency: %s" % ", ".join(
            "%s: %d" % (k, v) for k, v in r["lat_bands"]))
    if r["extra"].get("shared_proxies") is not None:
        print("    shared person's proxy numbers: %s"
              % " ".join(p or "-" for p in r["extra"]["shared_proxies"]))
    for f in r["faults"]:
        print("    fault rule: %d of %d calls answered %s"
              % (f["applied"], f["seen"], f.get("status")))
    rt = r.get("retries")
    if rt:
        print("    calls answered 429 k times in a row: %s; wait before "
              "retry k (p50, the fake's clock, incl. the 429's own "
              "latency): %s" % (
                  ", ".join("k=%s: %d" % (k, v) for k, v in
                            sorted(rt["runs"].items())),
                  ", ".join("k=%s: %.0f ms" % (k, v["p50"]) for k, v in
                            sorted(rt["gaps"].items()))))
    if w["restarted"]:
        print("    program processes changed during the run: %s"
              % w["restarted"])


# --------------------------------------------------------------------------
# Soak

def bad_requests(nums):
    """Cheap requests answered with an error, no Twilio call."""
    good = {"Authorization": AUTH_HEADER, "Content-Type": "application/json"}
    out = []

    def bad(body, headers, want):
        def check(status, h, data):
            return (None if status == want else "HTTP %d, wanted %d"
                    % (status, want)), None
        out.append(Op("POST", "/sessions", body, headers, check))

    bad(b'{"addresses": ["+14155550123", ', good, 400)        # invalid JSON
    bad(json.dumps({"addresses": ["+0123"]}).encode(), good, 400)
    bad(json.dumps({"addresses": [nums.one(), nums.one()],
                    "colour": "red"}).encode(), good, 400)
    a = nums.one()
    bad(json.dumps({"addresses": [a, a]}).encode(), good, 400)
    bad(json.dumps({"addresses": []}).encode(), good, 400)
    bad(b"addresses=+14155550123", {"Authorization": AUTH_HEADER,
                                    "Content-Type": "text/plain"}, 415)
    bad(json.dumps({"addresses": [nums.one()]}).encode(),
        {"Authorization": "Basic " + base64.b64encode(b"x:y").decode(),
         "Content-Type": "application/json"}, 401)
    return out


def soak(outdir):
    total = int(ENV.get("SOAK_REQUESTS", "100000"))
    reset_every = int(ENV.get("SOAK_RESET_EVERY", "5000"))   # requests
    conc = int(ENV.get("SOAK_CONCURRENCY", "2"))
    session_share = int(ENV.get("SOAK_SESSION_EVERY", "3"))  # 1 in N
    progs = our_programs()
    pids = [p for p, n in progs.items() if n == "sessions.fcgi"]
    if len(pids) != 1:
        sys.exit("soak: expected one sessions.fcgi, found %s" % progs)
    pid = pids[0]
    nums = Numbers()
    res = Results()
    cheap = bad_requests(nums)
    marks = []              # (requests done, VmRSS kB)
    t0 = time.monotonic()
    c0 = proc_stat(pid)[1]
    done = 0
    sessions = 0
    i = 0
    # First batch ends at 1,000 requests, then every reset_every.
    bounds = [1000] + list(range(reset_every, total, reset_every)) + [total]
    bounds = sorted(set(b for b in bounds if b <= total))
    for b in bounds:
        ops = []
        while done + len(ops) < b:
            if i % session_share == 0:
                ops.append(session_op(nums.many(2)))
                sessions += 1
            else:
                ops.append(cheap[i % len(cheap)])
            i += 1
        run_closed(ops, conc, res)
        done = b
        time.sleep(0.05)
        rss = status_kb(pid, "VmRSS")
        marks.append((done, rss))
        fake("POST", "reset")
        nums.seen.clear()
        el = time.monotonic() - t0
        if done == 1000 or done % 20000 == 0 or done == total:
            print("  soak: %6d requests, %5.0f s, VmRSS %s kB"
                  % (done, el, rss), flush=True)
    wall = time.monotonic() - t0
    cpu_ms = (proc_stat(pid)[1] - c0) * 1000.0 / HZ
    out = {
        "key": "soak", "name": "soak", "latency_ms": 0.0,
        "requests": total, "sessions": sessions, "wall_s": wall,
        "ok": len(res.lat), "errors": sum(res.errors.values()),
        "error_kinds": res.errors, "pid": pid,
        "rss_1k_kb": dict(marks).get(1000), "rss_end_kb": marks[-1][1],
        "hwm_kb": status_kb(pid, "VmHWM"), "marks": marks,
        "cpu_ms_per_req": cpu_ms / max(1, total),
        "p50": pct(res.lat, 50), "p99": pct(res.lat, 99),
    }
    with open(os.path.join(outdir, "99-soak.json"), "w") as f:
        json.dump(out, f, indent=1)


def print_soak(s):
    print()
    print("Soak: one sessions.fcgi worker (PROCS=1, WORKER_THREADS=1, "
          "latency 0), %d requests (%d sessions, the rest cheap 4xx), "
          "%.0f s, %d ok, %d errors"
          % (s["requests"], s["sessions"], s["wall_s"], s["ok"], s["errors"]))
    print("  VmRSS after 1,000 requests: %s kB; after %d: %s kB (%+d kB); "
          "VmHWM %s kB; CPU %.3f ms/request"
          % (s["rss_1k_kb"], s["requests"], s["rss_end_kb"],
             s["rss_end_kb"] - s["rss_1k_kb"], s["hwm_kb"],
             s["cpu_ms_per_req"]))
    print("  VmRSS trend (requests: kB): %s"
          % ", ".join("%d: %d" % (d, r) for d, r in s["marks"]))
    if s["errors"]:
        print("  errors: %s" % ", ".join("%s x%d" % (k, v) for k, v in
                                       sorted(s["error_kinds"].items())))


# --------------------------------------------------------------------------

def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    args = argv[2:]

    def opt(name, default=None):
        if name in args:
            return args[args.index(name) + 1]
        return default

    if cmd == "list":
        print(" ".join(s["key"] for s in SCENARIOS))
    elif cmd == "run":
        key = args[0]
        if key not in BY_KEY:
            sys.exit("unknown scenario %s (known: %s)"
                     % (key, " ".join(BY_KEY)))
        run_scenario(key, opt("--out", "."))
    elif cmd == "report":
        report(args[0] if args else ".")
    elif cmd == "soak":
        soak(opt("--out", "."))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
