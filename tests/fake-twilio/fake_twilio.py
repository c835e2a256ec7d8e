#!/usr/bin/env python3
"""A fake of the parts of Twilio's REST API this project uses.

    python3 tests/fake-twilio/fake_twilio.py --port PORT [--host 127.0.0.1]
        [--account-sid AC...] [--auth-token TOKEN] [--latency-ms N]
        [--connect-delay-ms N] [--quiet] [--tls-cert PEM --tls-key PEM]

It serves, on one port, both hosts the product talks to: the Conversations
API (/v1/...) and the core API (/2010-04-01/...):

  /v1/Conversations                           POST create, GET list
  /v1/Conversations/{id}                      GET, POST update, DELETE
  /v1/Conversations/{id}/Participants         POST create, GET list
  /v1/Conversations/{id}/Participants/{MB}    GET, POST update, DELETE
  /v1/Conversations/{id}/Messages             POST create, GET list
  /v1/ParticipantConversations                GET list
  /2010-04-01/Accounts/{AC}/Calls.json        POST create
  /2010-04-01/Accounts/{AC}/Messages.json     POST create (one SMS)

{id} is the conversation's SID or its unique name (URL-escaped in the path);
a participant's GET also takes its identity in place of the MB SID.

It behaves like Twilio where the product can tell the difference: basic auth,
form bodies and the X-Twilio-Webhook-Enabled header checked against the
parameter tables of Twilio's OpenAPI description (oai_params.json, made by
gen_params.py), Twilio's error JSON and codes, snake_case resources, paging
through meta.next_page_url, the uniqueness rules on conversation unique names
and on (address, proxy address) bindings, the latter checked atomically, and
the rules on states: no timers without State on create (50382), no closed
state on create (50384), nothing updated, added or posted in a closed
conversation (50377).

Tests drive it through a control API under /_fake/ (JSON, no auth, never
logged, never delayed or faulted):

  POST   /_fake/reset     clear resources, faults, request log, counters, the
                          closed connections of GET /_fake/connections, and
                          set the latency back to --latency-ms and the
                          connect delay to --connect-delay-ms
  GET    /_fake/state     {"conversations": [conversation + "participants"
                           + "messages" (each + "webhook_enabled": the
                           header as true/false, null when not sent)],
                           "calls": [call + "params" + "twiml_error"],
                           "messages_sent": [core API message + "params"]}
  GET    /_fake/requests  [{"method", "path", "query", "form", "status",
                           "conn", "first", "auth_ok", "webhook_enabled",
                           "t", "fault"}] since reset (status 0: nothing was
                          answered; fault: rule id; webhook_enabled: the
                          X-Twilio-Webhook-Enabled header as sent, or null;
                          first: the first API request on its connection)
  GET    /_fake/stats     {"requests", "connections", "in_flight_max",
                           "in_flight", "open_connections",
                           "connections_by_peer": {peer port: API requests}
                           (the connections that made API requests since
                           reset)}
  GET    /_fake/connections  [{"id", "peer_port", "pid", "opened_at",
                           "closed_at", "requests"}]: every connection open
                          now (however old) and every one closed since reset;
                          opened_at and closed_at on the clock of the log's
                          "t" (negative: before the reset); requests: API
                          requests over its life; pid: the process at the
                          other end, looked up now (only here: it reads
                          /proc/net/tcp, tcp6 and every /proc/PID/fd, which
                          needs root for other users' processes) for each
                          open connection not yet known, null when closed
                          before anyone asked or not found
  POST   /_fake/close-idle  closes every connection that is not answering a
                          request now (what Twilio's side does to connections
                          left idle): {"closed": N}
  GET|POST /_fake/config  {"latency_ms": N} sets the latency of every API call;
                          {"connect_delay_ms": N} the delay added to the first
                          API answer on each new connection (what the TCP and
                          TLS handshakes cost against Twilio: on a real
                          connection they come before the request is sent)
  POST   /_fake/faults    {"faults": [rule, ...]} appends rules
  GET    /_fake/faults    the rules with their counters (seen, applied)
  DELETE /_fake/faults    removes every rule
  POST   /_fake/webhooks  {"pre_url", "post_url", "signed_base"}: where the
                          Conversations webhooks go (what Twilio's
                          Configuration/Webhooks holds; null: none), and
                          the scheme and host their signatures are computed
                          for (the service's https://DOMAIN, the URL Twilio
                          would have called); GET: the setting
  POST   /_fake/sms       {"from", "to", "body"}: an SMS from "from" to pool
                          number "to", as Twilio receives it: the open
                          conversation holding that binding gets it, after
                          the pre-event webhook (onMessageAdd, signed) had
                          its say: a 200 lets it in, a 200 with a JSON
                          object changes its "body"/"author"/"attributes",
                          any other status or no answer in 5 s rejects it;
                          then the post-event webhook (onMessageAdded).
                          -> {"conversation_sid", "added": message or null,
                          "pre": {"status", "elapsed_ms", "body", "ctype"},
                          "post": {"status", "body"}}; 404 when no open
                          conversation has that binding
  GET    /_fake/webhook-log  every webhook sent since reset: {"kind",
                          "url", "params", "status", "body", "elapsed_ms"}
  POST   /_fake/seed      {"conversations": [{"friendly_name", "unique_name",
                           "attributes", "state", "messaging_service_sid",
                           "date_created", "date_updated", "participants":
                           [{"address", "proxy_address", "identity"}],
                           "messages": [{"author", "body", "attributes",
                           "date_created"}]}]}
                          -> {"sids": [...], "conversations": [{"sid",
                           "participants": [...], "messages": [...]}]};
                          no rule is checked

A fault rule selects requests with "method", "path" (regex, re.search),
"match" ({param: regex} over query and form values), counts them with "skip"
(let N pass first), "every" (act on every K-th) and "times" (default 1, -1
forever), and acts with "delay_ms", "drop", "hang", "reset_mid", "body",
"oversize", or "status" (+ "code", "message", "retry_after"); "commit" runs
the real operation before the fault's answer.  The first rule that acts wins.

Standard library only; it reads nothing but oai_params.json at run time.
"""

import argparse
import base64
import collections
import hashlib
import hmac
import json
import os
import re
import select
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS_FILE = os.path.join(HERE, "oai_params.json")

MAX_BODY = 1 << 20          # larger request bodies are refused with 413
MAX_LOG = 500000            # /_fake/requests keeps the last MAX_LOG entries
HANG_MAX_S = 120            # a "hang" fault holds the connection at most this
TWIML_MAX = 4000            # Twilio's limit on the Twiml parameter
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
FORM_TYPE = "application/x-www-form-urlencoded"

STOP = threading.Event()    # set on SIGTERM/SIGINT: releases hanging requests


# --------------------------------------------------------------------------
# Errors and small helpers

class ApiError(Exception):
    """A Twilio-style error answer: HTTP status plus Twilio's error JSON."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def body(self):
        return error_json(self.status, self.code, self.message)


def error_json(status, code, message):
    return {"code": code, "message": message,
            "more_info": "https://www.twilio.com/docs/errors/%d" % code,
            "status": status}


def invalid(name, why):
    return ApiError(400, 20001, "Invalid Parameter: %s %s" % (name, why))


def not_found(path):
    return ApiError(404, 20404,
                    "The requested resource %s was not found" % path)


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def rfc2822(dt):
    return format_datetime(dt) if dt else None   # "Tue, 31 Aug 2010 ... +0000"


def new_sid(prefix):
    return prefix + uuid.uuid4().hex


def fixed_sid(prefix, seed):
    """A SID that is the same for every run with the same seed."""
    return prefix + hashlib.md5(seed.encode()).hexdigest()


def parse_datetime(name, value):
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(name, "is not an ISO 8601 date-time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0)


DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_duration(name, value, minimum_s):
    """ISO 8601 duration (PT1H, P1D, P1DT30M...) as a timedelta."""
    m = DURATION.match(value)
    if not m:
        raise invalid(name, "is not an ISO 8601 duration")
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    delta = timedelta(days=365 * y + 30 * mo + 7 * w + d, hours=h,
                      minutes=mi, seconds=s)
    if delta.total_seconds() < minimum_s:
        raise invalid(name, "must be at least %d minutes" % (minimum_s // 60))
    return delta


def closed_error():
    # https://www.twilio.com/docs/api/errors/50377
    return ApiError(400, 50377, "Can't update conversation as it's in final "
                    "closed state")


def check_attributes(value):
    try:
        json.loads(value)
    except ValueError:
        raise ApiError(400, 50205, "Attributes must be valid JSON") from None
    return value


def channel(address):
    """Twilio's binding type for an address: sms, whatsapp, rcs, ..."""
    prefix, sep, _ = address.partition(":")
    return prefix.lower() if sep else "sms"


GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;"
           "<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyz"
           "äöñüà^{}\\[~]|€")


def segments(body):
    """SMS segments of a body: GSM-7 160/153 a part, else UCS-2 70/67."""
    if all(ch in GSM7 for ch in body):
        n, one, part = sum(2 if ch in "^{}\\[~]|€" else 1
                           for ch in body), 160, 153
    else:
        n, one, part = sum(2 if ord(ch) > 0xFFFF else 1 for ch in body), 70, 67
    return 1 if n <= one else -(-n // part)


def quote_path(template, ref):
    """A path naming a conversation (SID or unique name) as a URL holds it."""
    return template % quote(ref, safe="")


def nanp_format(number):
    m = re.match(r"^\+1(\d{3})(\d{3})(\d{4})$", number or "")
    return "(%s) %s-%s" % m.groups() if m else number


# --------------------------------------------------------------------------
# Parameter checking against the OpenAPI tables

# Twilio's own codes for some missing required parameters (the generic
# answer is 20001 "Missing required parameter").
MISSING = {
    # https://www.twilio.com/docs/errors/21604
    ("CreateMessage", "To"): (21604, "A 'To' phone number is required."),
}


class ParamTable:
    """The parameter tables of oai_params.json and the checks they imply."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.ops = json.load(f)["operations"]

    def validate(self, op_id, values, headers):
        """Check the request's parameters ({name: [values]}) for op_id.

        Returns {name: value} with integers and booleans converted and
        arrays as lists, plus the operation's headers that were sent
        (X-Twilio-Webhook-Enabled); raises ApiError 400 (20001 naming the
        parameter, or the code of MISSING).
        """
        specs = self.ops[op_id]["params"]
        out = {}
        for name, vals in values.items():
            spec = specs.get(name)
            if spec is None or spec["in"] not in ("query", "body"):
                raise invalid(name, "is not a parameter of %s" % op_id)
            if spec.get("type") == "array":
                out[name] = [self.check(name, spec.get("items", {}), v)
                             for v in vals]
            elif len(vals) > 1:
                raise invalid(name, "was given more than once")
            else:
                out[name] = self.check(name, spec, vals[0])
        for name, spec in specs.items():
            if spec["in"] in ("query", "body") and spec["required"] \
                    and name not in out:
                if (op_id, name) in MISSING:
                    raise ApiError(400, *MISSING[(op_id, name)])
                where = "post body" if spec["in"] == "body" else "query"
                raise ApiError(400, 20001, "Missing required parameter %s in "
                               "the %s" % (name, where))
            if spec["in"] == "header" and headers.get(name) is not None:
                out[name] = self.check(name, spec, headers.get(name))
        return out

    @staticmethod
    def check(name, spec, value):
        typ, fmt = spec.get("type"), spec.get("format")
        if typ == "integer":
            if not re.match(r"^[+-]?\d+$", value):
                raise invalid(name, "must be an integer")
            value = int(value)
            if "minimum" in spec and value < spec["minimum"]:
                raise invalid(name, "must be at least %d" % spec["minimum"])
            if "maximum" in spec and value > spec["maximum"]:
                raise invalid(name, "must be at most %d" % spec["maximum"])
            return value
        if typ == "number":
            try:
                return float(value)
            except ValueError:
                raise invalid(name, "must be a number") from None
        if typ == "boolean":
            if value.lower() not in ("true", "false"):
                raise invalid(name, "must be true or false")
            return value.lower() == "true"
        if "enum" in spec and value not in spec["enum"]:
            raise invalid(name, "must be one of: %s" % ", ".join(spec["enum"]))
        if "minLength" in spec and len(value) < spec["minLength"]:
            raise invalid(name, "is shorter than %d" % spec["minLength"])
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            raise invalid(name, "is longer than %d" % spec["maxLength"])
        if "pattern" in spec and not re.search(spec["pattern"], value):
            raise invalid(name, "must match %s" % spec["pattern"])
        if fmt == "date-time":
            parse_datetime(name, value)
        elif fmt == "uri" and not re.match(r"^https?://[^\s/]+", value):
            if name == "Url":
                raise ApiError(400, 21205, "Url is not a valid URL: %s" % value)
            raise invalid(name, "is not a valid URL")
        return value


# --------------------------------------------------------------------------
# The resources and their rules

class Store:
    """Every resource the fake holds, behind one lock.

    Conversations and participants are plain dicts.  Indexes keep the
    uniqueness checks O(1): unique names, (address, proxy address) bindings,
    and the participants of each address and identity (for
    ParticipantConversations).  `seq` numbers order lists and make page
    tokens ("PA<seq>" next, "PB<seq>" previous) stable under deletes.
    """

    def __init__(self, account_sid):
        self.account_sid = account_sid
        self.chat_service_sid = fixed_sid("IS", "chat:" + account_sid)
        self.messaging_service_sid = fixed_sid("MG", "msg:" + account_sid)
        self.lock = threading.Lock()
        # Called (conversation, message) for a message posted with
        # X-Twilio-Webhook-Enabled: true: the post-event webhook.
        self.on_added = None
        self.reset()

    def reset(self):
        self.seq = 0
        self.convs = {}         # sid -> conversation (insertion = seq order)
        self.unique = {}        # unique_name -> conversation sid
        self.bindings = {}      # (address, proxy) -> {conversation sid: n}
        self.by_address = {}    # address -> {participant sid: conversation sid}
        self.by_identity = {}   # identity -> {participant sid: conversation sid}
        self.calls = []
        self.sent = []          # core API messages: {"message", "params"}

    def next_seq(self):
        self.seq += 1
        return self.seq

    # ---- lookups and index upkeep (callers hold self.lock)

    def find(self, ref, path):
        sid = ref if ref in self.convs else self.unique.get(ref)
        if sid is None:
            raise not_found(path)
        return self.convs[sid]

    def index_participant(self, conv, p, add):
        b = p["binding"]
        keys = []
        if b and b.get("address"):
            keys.append((self.by_address, b["address"]))
            pair = (b["address"], b.get("proxy_address"))
            counts = self.bindings.setdefault(pair, {})
            counts[conv["sid"]] = counts.get(conv["sid"], 0) + (1 if add else -1)
            if counts[conv["sid"]] <= 0:
                del counts[conv["sid"]]
            if not counts:
                del self.bindings[pair]
        if p["identity"]:
            keys.append((self.by_identity, p["identity"]))
        for index, key in keys:
            entry = index.setdefault(key, {})
            if add:
                entry[p["sid"]] = conv["sid"]
            else:
                entry.pop(p["sid"], None)
                if not entry:
                    del index[key]

    def insert_conversation(self, fields):
        now = now_utc()
        conv = {"seq": self.next_seq(), "sid": new_sid("CH"),
                "friendly_name": None, "unique_name": None,
                "attributes": "{}", "state": "active",
                "messaging_service_sid": self.messaging_service_sid,
                "date_created": now, "date_updated": now, "timers": {},
                "bindings": {}, "participants": {}, "messages": {},
                "next_index": 0}
        conv.update(fields)
        self.convs[conv["sid"]] = conv
        if conv["unique_name"]:
            self.unique[conv["unique_name"]] = conv["sid"]
        return conv

    def insert_participant(self, conv, fields):
        now = now_utc()
        p = {"seq": self.next_seq(), "sid": new_sid("MB"),
             "conversation_sid": conv["sid"], "identity": None,
             "attributes": "{}", "binding": None, "role_sid": None,
             "date_created": now, "date_updated": now}
        p.update(fields)
        conv["participants"][p["sid"]] = p
        self.index_participant(conv, p, True)
        return p

    def find_participant(self, conv, ref, path, identity_too=False):
        """A participant of conv by SID (or, if identity_too, identity)."""
        p = conv["participants"].get(ref)
        if p is None and identity_too:
            p = next((x for x in conv["participants"].values()
                      if x["identity"] is not None and x["identity"] == ref),
                     None)
        if p is None:
            raise not_found(path)
        return p

    def remove_participant(self, conv, p):
        self.index_participant(conv, p, False)
        del conv["participants"][p["sid"]]

    def insert_message(self, conv, fields):
        now = now_utc()
        msg = {"seq": self.next_seq(), "sid": new_sid("IM"),
               "conversation_sid": conv["sid"], "index": conv["next_index"],
               "author": "system", "body": None, "attributes": "{}",
               "participant_sid": None, "media": None, "content_sid": None,
               "date_created": now, "date_updated": None,
               "webhook_enabled": None}
        msg.update(fields)
        if msg["date_updated"] is None:
            msg["date_updated"] = msg["date_created"]
        conv["next_index"] += 1
        conv["messages"][msg["sid"]] = msg
        return msg

    def remove_conversation(self, conv):
        for p in conv["participants"].values():
            self.index_participant(conv, p, False)
        if conv["unique_name"] and \
                self.unique.get(conv["unique_name"]) == conv["sid"]:
            del self.unique[conv["unique_name"]]
        del self.convs[conv["sid"]]

    # ---- rendering, as Twilio answers

    def render_conversation(self, c, base):
        url = "%s/v1/Conversations/%s" % (base, c["sid"])
        timers = {k: iso(v) for k, v in c["timers"].items()}
        return {
            "account_sid": self.account_sid,
            "chat_service_sid": self.chat_service_sid,
            "messaging_service_sid": c["messaging_service_sid"],
            "sid": c["sid"], "friendly_name": c["friendly_name"],
            "unique_name": c["unique_name"], "attributes": c["attributes"],
            "state": c["state"], "date_created": iso(c["date_created"]),
            "date_updated": iso(c["date_updated"]), "timers": timers,
            "bindings": c["bindings"], "url": url,
            "links": {k: "%s/%s" % (url, v) for k, v in (
                ("participants", "Participants"), ("messages", "Messages"),
                ("webhooks", "Webhooks"), ("export", "Export"))},
        }

    def render_participant(self, p, base):
        b = p["binding"]
        if b is not None:
            b = {k: v for k, v in b.items() if v is not None}
        return {
            "account_sid": self.account_sid,
            "conversation_sid": p["conversation_sid"], "sid": p["sid"],
            "identity": p["identity"], "attributes": p["attributes"],
            "messaging_binding": b, "role_sid": p["role_sid"],
            "date_created": iso(p["date_created"]),
            "date_updated": iso(p["date_updated"]),
            "url": "%s/v1/Conversations/%s/Participants/%s" % (
                base, p["conversation_sid"], p["sid"]),
            "last_read_message_index": p.get("last_read_message_index"),
            "last_read_timestamp": p.get("last_read_timestamp"),
        }

    def render_message(self, m, base):
        url = "%s/v1/Conversations/%s/Messages/%s" % (
            base, m["conversation_sid"], m["sid"])
        return {
            "account_sid": self.account_sid,
            "conversation_sid": m["conversation_sid"], "sid": m["sid"],
            "index": m["index"], "author": m["author"], "body": m["body"],
            "media": m["media"], "attributes": m["attributes"],
            "participant_sid": m["participant_sid"],
            "date_created": iso(m["date_created"]),
            "date_updated": iso(m["date_updated"]), "url": url,
            "delivery": None, "content_sid": m["content_sid"],
            "links": {"delivery_receipts": url + "/Receipts",
                      "channel_metadata": url + "/ChannelMetadata"},
        }

    def render_participant_conversation(self, p, c, base):
        b = p["binding"]
        if b is not None:
            b = {"address": b.get("address"),
                 "proxy_address": b.get("proxy_address"), "type": b["type"],
                 "level": None, "name": None,
                 "projected_address": b.get("projected_address")}
        conv_url = "%s/v1/Conversations/%s" % (base, c["sid"])
        return {
            "account_sid": self.account_sid,
            "chat_service_sid": self.chat_service_sid,
            "participant_sid": p["sid"],
            "participant_user_sid": fixed_sid("US", p["identity"])
            if p["identity"] else None,
            "participant_identity": p["identity"],
            "participant_messaging_binding": b,
            "conversation_sid": c["sid"],
            "conversation_unique_name": c["unique_name"],
            "conversation_friendly_name": c["friendly_name"],
            "conversation_attributes": c["attributes"],
            "conversation_date_created": iso(c["date_created"]),
            "conversation_date_updated": iso(c["date_updated"]),
            "conversation_created_by": "system",
            "conversation_state": c["state"],
            "conversation_timers": {k: iso(v) for k, v in c["timers"].items()},
            "links": {"participant": "%s/Participants/%s" % (conv_url,
                                                             p["sid"]),
                      "conversation": conv_url},
        }

    # ---- paging

    @staticmethod
    def page(items, key, base, path, filters, params, desc=False):
        """One page of items [(seq, rendered)] with Twilio's meta block.

        items are in list order: ascending seq, or descending if desc.
        """
        size = params.get("PageSize", 50)
        page_no = params.get("Page", 0)
        token = params.get("PageToken")
        if token is not None:
            m = re.match(r"^P([AB])(\d+)$", token)
            if not m:
                raise invalid("PageToken", "is not a valid page token")
            mark = int(m.group(2))
            sign = -1 if desc else 1    # compare in list order
            if m.group(1) == "A":
                start = next((i for i, (s, _) in enumerate(items)
                              if sign * s > sign * mark), len(items))
            else:
                end = next((i for i, (s, _) in enumerate(items)
                            if sign * s >= sign * mark), len(items))
                start = max(0, end - size)
        else:
            start = page_no * size
        chunk = items[start:start + size]

        def url(n, tok=None):
            q = list(filters) + [("PageSize", size), ("Page", n)]
            if tok:
                q.append(("PageToken", tok))
            return "%s%s?%s" % (base, path, urlencode(q))

        nxt = prev = None
        if chunk and start + size < len(items):
            nxt = url(page_no + 1, "PA%d" % chunk[-1][0])
        if chunk and start > 0:
            prev = url(max(page_no - 1, 0), "PB%d" % chunk[0][0])
        return {key: [r for _, r in chunk], "meta": {
            "page": page_no, "page_size": size, "first_page_url": url(0),
            "previous_page_url": prev, "url": url(page_no, token),
            "next_page_url": nxt, "key": key}}

    # ---- operations: (base URL, path args, checked params) -> (status, body)

    def conversation_fields(self, p, creating):
        """Turn Create/UpdateConversation params into stored fields."""
        f = {}
        for param, field in (("FriendlyName", "friendly_name"),
                             ("UniqueName", "unique_name"),
                             ("MessagingServiceSid", "messaging_service_sid"),
                             ("State", "state")):
            if param in p:
                f[field] = p[param] or None
        if "Attributes" in p:
            f["attributes"] = check_attributes(p["Attributes"])
        for param, field in (("DateCreated", "date_created"),
                             ("DateUpdated", "date_updated")):
            if param in p:
                f[field] = parse_datetime(param, p[param])
        timers = {}
        start = f.get("date_updated") or now_utc()
        if "Timers.Inactive" in p:
            timers["date_inactive"] = start + parse_duration(
                "Timers.Inactive", p["Timers.Inactive"], 60)
        if "Timers.Closed" in p:
            timers["date_closed"] = start + parse_duration(
                "Timers.Closed", p["Timers.Closed"], 600)
        if timers or creating:
            f["timers"] = timers
        email = {k: p[n] for k, n in (("address", "Bindings.Email.Address"),
                                      ("name", "Bindings.Email.Name")) if n in p}
        if email:
            f["bindings"] = {"email": email}
        return f

    def create_conversation(self, base, args, p):
        f = self.conversation_fields(p, True)
        if f["timers"] and "State" not in p:
            # https://www.twilio.com/docs/api/errors/50382 (create only)
            raise ApiError(400, 50382, "Timer can't be set without state")
        if f.get("state") == "closed":
            # https://www.twilio.com/docs/api/errors/50384
            raise ApiError(400, 50384, "Initial state can't be 'closed'")
        with self.lock:
            if f.get("unique_name") in self.unique:
                raise ApiError(409, 50353, "Conversation with provided "
                               "unique name already exists")
            conv = self.insert_conversation(f)
            return 201, self.render_conversation(conv, base)

    def fetch_conversation(self, base, args, p):
        with self.lock:
            conv = self.find(args[0], "/v1/Conversations/" + args[0])
            return 200, self.render_conversation(conv, base)

    def update_conversation(self, base, args, p):
        f = self.conversation_fields(p, False)
        with self.lock:
            conv = self.find(args[0], "/v1/Conversations/" + args[0])
            if conv["state"] == "closed":
                raise closed_error()
            name = f.get("unique_name")
            if name and self.unique.get(name, conv["sid"]) != conv["sid"]:
                raise ApiError(409, 50353, "Conversation with provided "
                               "unique name already exists")
            if "unique_name" in f and conv["unique_name"]:
                self.unique.pop(conv["unique_name"], None)
            if "date_updated" not in f:
                f["date_updated"] = now_utc()
            if "timers" in f:
                f["timers"] = dict(conv["timers"], **f["timers"])
            conv.update(f)
            if conv["unique_name"]:
                self.unique[conv["unique_name"]] = conv["sid"]
            return 200, self.render_conversation(conv, base)

    def delete_conversation(self, base, args, p):
        with self.lock:
            self.remove_conversation(
                self.find(args[0], "/v1/Conversations/" + args[0]))
        return 204, None

    def list_conversations(self, base, args, p):
        filters = [(k, p[k]) for k in ("StartDate", "EndDate", "State")
                   if k in p]
        days = {}
        for k in ("StartDate", "EndDate"):
            if k in p:
                # Twilio documents YYYY-MM-DDT00:00:00Z (whole days); a
                # bare date is accepted too. The time part is ignored.
                m = re.match(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?$", p[k])
                try:
                    days[k] = datetime.strptime(m.group(1), "%Y-%m-%d").date()
                except (ValueError, AttributeError):
                    raise invalid(k, "must be an ISO 8601 date, "
                                  "YYYY-MM-DDT00:00:00Z") from None
        with self.lock:
            items = [(c["seq"], self.render_conversation(c, base))
                     for c in self.convs.values()
                     if p.get("State", c["state"]) == c["state"]
                     and days.get("StartDate", c["date_created"].date())
                     <= c["date_created"].date()
                     <= days.get("EndDate", c["date_created"].date())]
        return 200, self.page(items, "conversations", base,
                              "/v1/Conversations", filters, p)

    def create_participant(self, base, args, p):
        identity = p.get("Identity") or None
        address = p.get("MessagingBinding.Address") or None
        proxy = p.get("MessagingBinding.ProxyAddress") or None
        projected = p.get("MessagingBinding.ProjectedAddress") or None
        if bool(address) != bool(proxy):
            missing = "ProxyAddress" if address else "Address"
            raise ApiError(400, 50407, "MessagingBinding.%s is required "
                           "together with the other binding address" % missing)
        if address and identity:
            raise invalid("Identity", "cannot be combined with "
                          "MessagingBinding.Address")
        if not address and not identity:
            raise invalid("Identity", "or MessagingBinding.Address must be "
                          "given")
        if projected and not identity:
            raise invalid("MessagingBinding.ProjectedAddress",
                          "requires Identity")
        binding = None
        if address:
            kind = channel(address)
            for name, value in (("Address", address), ("ProxyAddress", proxy)):
                number = value.split(":", 1)[1] if ":" in value else value
                if channel(value) != kind or (
                        kind in ("sms", "whatsapp") and not E164.match(number)):
                    raise ApiError(400, 50407, "Invalid messaging binding "
                                   "%s: %s" % (name, value))
            binding = {"type": kind, "address": address,
                       "proxy_address": proxy}
        elif projected:
            binding = {"type": "sms", "projected_address": projected}
        fields = {"identity": identity, "binding": binding,
                  "role_sid": p.get("RoleSid")}
        if "Attributes" in p:
            fields["attributes"] = check_attributes(p["Attributes"])
        for param, field in (("DateCreated", "date_created"),
                             ("DateUpdated", "date_updated")):
            if param in p:
                fields[field] = parse_datetime(param, p[param])
        path = "/v1/Conversations/%s/Participants" % args[0]
        # Check and insert under one lock: concurrent adds of one pair must
        # see exactly one winner and 50416 for every other.
        with self.lock:
            conv = self.find(args[0], path)
            if conv["state"] == "closed":
                raise closed_error()
            for other in conv["participants"].values():
                ob = other["binding"] or {}
                if address and ob.get("address") == address:
                    raise ApiError(409, 50433, "Participant with address %s "
                                   "already exists in Conversation %s"
                                   % (address, conv["sid"]))
                if identity and other["identity"] == identity:
                    raise ApiError(409, 50433, "Participant with identity %s "
                                   "already exists in Conversation %s"
                                   % (identity, conv["sid"]))
            if address:
                for sid in self.bindings.get((address, proxy), ()):
                    if sid != conv["sid"] and \
                            self.convs[sid]["state"] != "closed":
                        raise ApiError(409, 50416, "A binding for this "
                                       "participant and proxy address already "
                                       "exists in Conversation %s" % sid)
            part = self.insert_participant(conv, fields)
            return 201, self.render_participant(part, base)

    def list_participants(self, base, args, p):
        path = "/v1/Conversations/%s/Participants" % args[0]
        with self.lock:
            conv = self.find(args[0], path)
            items = [(x["seq"], self.render_participant(x, base))
                     for x in conv["participants"].values()]
        return 200, self.page(items, "participants", base, quote_path(
            "/v1/Conversations/%s/Participants", args[0]), [], p)

    def fetch_participant(self, base, args, p):
        path = "/v1/Conversations/%s/Participants/%s" % tuple(args)
        with self.lock:
            conv = self.find(args[0], path)
            # Twilio: "Alternatively, you can pass a Participant's identity".
            part = self.find_participant(conv, args[1], path, True)
            return 200, self.render_participant(part, base)

    def update_participant(self, base, args, p):
        path = "/v1/Conversations/%s/Participants/%s" % tuple(args)
        f = {}
        if "Attributes" in p:
            f["attributes"] = check_attributes(p["Attributes"])
        for param, field in (("DateCreated", "date_created"),
                             ("DateUpdated", "date_updated")):
            if param in p:
                f[field] = parse_datetime(param, p[param])
        if "RoleSid" in p:
            f["role_sid"] = p["RoleSid"] or None
        if "LastReadMessageIndex" in p:
            f["last_read_message_index"] = p["LastReadMessageIndex"]
        if "LastReadTimestamp" in p:
            f["last_read_timestamp"] = iso(parse_datetime(
                "LastReadTimestamp", p["LastReadTimestamp"]))
        with self.lock:
            conv = self.find(args[0], path)
            part = self.find_participant(conv, args[1], path)
            if conv["state"] == "closed":
                raise closed_error()
            binding = dict(part["binding"]) if part["binding"] else None
            identity = part["identity"]
            if "Identity" in p:
                identity = p["Identity"] or None
                if identity and binding and binding.get("address"):
                    raise invalid("Identity", "cannot be set on a participant "
                                  "with a messaging binding address")
                if identity and any(
                        x["identity"] == identity and x is not part
                        for x in conv["participants"].values()):
                    raise ApiError(409, 50433, "Participant with identity %s "
                                   "already exists in Conversation %s"
                                   % (identity, conv["sid"]))
            proxy = p.get("MessagingBinding.ProxyAddress")
            if proxy is not None:
                if not binding or not binding.get("address"):
                    raise invalid("MessagingBinding.ProxyAddress",
                                  "requires a messaging binding address")
                number = proxy.split(":", 1)[1] if ":" in proxy else proxy
                if channel(proxy) != binding["type"] or (
                        binding["type"] in ("sms", "whatsapp")
                        and not E164.match(number)):
                    raise ApiError(400, 50407, "Invalid messaging binding "
                                   "ProxyAddress: %s" % proxy)
                for sid in self.bindings.get((binding["address"], proxy), ()):
                    if sid != conv["sid"] and \
                            self.convs[sid]["state"] != "closed":
                        raise ApiError(409, 50416, "A binding for this "
                                       "participant and proxy address already "
                                       "exists in Conversation %s" % sid)
                binding["proxy_address"] = proxy
            if "MessagingBinding.ProjectedAddress" in p:
                if not identity:
                    raise invalid("MessagingBinding.ProjectedAddress",
                                  "requires Identity")
                binding = {"type": "sms", "projected_address":
                           p["MessagingBinding.ProjectedAddress"] or None}
            if "date_updated" not in f:
                f["date_updated"] = now_utc()
            f["identity"], f["binding"] = identity, binding
            self.index_participant(conv, part, False)
            part.update(f)
            self.index_participant(conv, part, True)
            return 200, self.render_participant(part, base)

    def delete_participant(self, base, args, p):
        path = "/v1/Conversations/%s/Participants/%s" % tuple(args)
        with self.lock:
            conv = self.find(args[0], path)
            # Frees the (address, proxy address) binding at once.
            self.remove_participant(conv, self.find_participant(
                conv, args[1], path))
        return 204, None

    def create_message(self, base, args, p):
        path = "/v1/Conversations/%s/Messages" % args[0]
        body = p.get("Body")
        if not body and not p.get("MediaSid") and not p.get("ContentSid"):
            # https://www.twilio.com/docs/api/errors/50503
            raise ApiError(400, 50503, "Message body not provided")
        if body is not None and len(body) > 1600:
            # https://www.twilio.com/docs/api/errors/50504
            raise ApiError(400, 50504, "Message body parameter is too long")
        f = {"body": body if body is not None else None,
             "author": p.get("Author") or "system",
             "content_sid": p.get("ContentSid") or None}
        if "Attributes" in p:
            f["attributes"] = check_attributes(p["Attributes"])
        if p.get("MediaSid"):
            f["media"] = [{"sid": p["MediaSid"], "category": "media",
                           "filename": None, "content_type": None,
                           "size": None}]
        for param, field in (("DateCreated", "date_created"),
                             ("DateUpdated", "date_updated")):
            if param in p:
                f[field] = parse_datetime(param, p[param])
        hook = p.get("X-Twilio-Webhook-Enabled")
        f["webhook_enabled"] = None if hook is None else hook == "true"
        with self.lock:
            conv = self.find(args[0], path)
            if conv["state"] == "closed":
                raise closed_error()
            # A participant's identity as Author makes it the author.
            f["participant_sid"] = next(
                (x["sid"] for x in conv["participants"].values()
                 if x["identity"] is not None and x["identity"] == f["author"]),
                None)
            msg = self.insert_message(conv, f)
            if f["webhook_enabled"] and self.on_added is not None:
                # Twilio sends post-event webhooks on their own time.
                threading.Thread(target=self.on_added, args=(conv, msg),
                                 daemon=True).start()
            return 201, self.render_message(msg, base)

    def list_messages(self, base, args, p):
        path = "/v1/Conversations/%s/Messages" % args[0]
        order = p.get("Order", "asc")
        filters = [("Order", p["Order"])] if "Order" in p else []
        with self.lock:
            conv = self.find(args[0], path)
            items = [(m["seq"], self.render_message(m, base))
                     for m in conv["messages"].values()]
        if order == "desc":
            items.reverse()
        # The URLs name the conversation as the request did (sid or name).
        return 200, self.page(items, "messages", base, quote_path(
            "/v1/Conversations/%s/Messages", args[0]), filters, p,
            order == "desc")

    def participant_conversations(self, base, args, p):
        address, identity = p.get("Address"), p.get("Identity")
        if address is None and identity is None:
            raise invalid("Address", "or Identity must be given")
        if address is not None and identity is not None:
            raise invalid("Identity", "and Address cannot both be given")
        if address is not None:
            table, key, filters = self.by_address, address, [
                ("Address", address)]
        else:
            table, key, filters = self.by_identity, identity, [
                ("Identity", identity)]
        with self.lock:
            items = []
            for part_sid, conv_sid in table.get(key, {}).items():
                conv = self.convs[conv_sid]
                part = conv["participants"][part_sid]
                items.append((part["seq"], self.render_participant_conversation(
                    part, conv, base)))
        items.sort(key=lambda x: x[0])
        return 200, self.page(items, "conversations", base,
                              "/v1/ParticipantConversations", filters, p)

    def create_call(self, base, args, p):
        if args[0] != self.account_sid:
            raise not_found("/2010-04-01/Accounts/%s/Calls.json" % args[0])
        given = [k for k in ("Url", "Twiml", "ApplicationSid") if p.get(k)]
        if len(given) != 1:
            raise ApiError(400, 21205, "Exactly one of Url, Twiml or "
                           "ApplicationSid must be given (got %s)"
                           % (", ".join(given) or "none"))
        to, frm = p["To"], p["From"]
        # Ringing: a positive whole number, at most 600 (Calls.json's
        # description); Twilio's 21208 otherwise. The call's length: a
        # positive number of seconds, up to the 24 hours an account may
        # allow (Twilio's configurable call limits).
        if "Timeout" in p and not 0 < p["Timeout"] <= 600:
            raise ApiError(400, 21208, "Invalid Timeout: %s" % p["Timeout"])
        if "TimeLimit" in p and not 0 < p["TimeLimit"] <= 86400:
            raise invalid("TimeLimit", "must be from 1 to 86400 seconds")
        if not (E164.match(to) or re.match(r"^(client|sip|app):", to)):
            raise ApiError(400, 21211, "Invalid 'To' Phone Number: %s" % to)
        if not (E164.match(frm) or frm.startswith("client:")):
            raise ApiError(400, 21212, "Invalid 'From' Phone Number: %s" % frm)
        twiml_error = None
        if "Twiml" in p:
            if len(p["Twiml"]) > TWIML_MAX:
                raise invalid("Twiml", "is longer than %d characters"
                              % TWIML_MAX)
            # Twilio accepts the call and fails later (error 12100) when the
            # TwiML does not parse; the fake records the problem for tests.
            try:
                if ET.fromstring(p["Twiml"]).tag != "Response":
                    twiml_error = "root element is not <Response>"
            except ET.ParseError as e:
                twiml_error = "not well-formed XML: %s" % e
        now = now_utc()
        sid = new_sid("CA")
        uri = "/2010-04-01/Accounts/%s/Calls/%s" % (self.account_sid, sid)
        call = {
            "account_sid": self.account_sid, "annotation": None,
            "answered_by": None, "api_version": "2010-04-01",
            "caller_name": None, "date_created": rfc2822(now),
            "date_updated": rfc2822(now), "direction": "outbound-api",
            "duration": None, "end_time": None, "forwarded_from": None,
            "from": frm, "from_formatted": nanp_format(frm),
            "group_sid": None, "parent_call_sid": None,
            "phone_number_sid": fixed_sid("PN", frm), "price": None,
            "price_unit": "USD", "sid": sid, "start_time": None,
            "status": "queued", "to": to, "to_formatted": nanp_format(to),
            "trunk_sid": None, "uri": uri + ".json", "queue_time": "0",
            "subresource_uris": {k: "%s/%s.json" % (uri, v) for k, v in (
                ("notifications", "Notifications"),
                ("recordings", "Recordings"), ("payments", "Payments"),
                ("events", "Events"), ("siprec", "Siprec"),
                ("streams", "Streams"), ("transcriptions", "Transcriptions"),
                ("user_defined_message_subscriptions",
                 "UserDefinedMessageSubscriptions"),
                ("user_defined_messages", "UserDefinedMessages"))},
        }
        with self.lock:
            self.calls.append({"call": call, "params": p,
                               "twiml_error": twiml_error})
        return 201, call

    def send_message(self, base, args, p):
        """CreateMessage of the core API: one SMS, answered as queued."""
        if args[0] != self.account_sid:
            raise not_found("/2010-04-01/Accounts/%s/Messages.json" % args[0])
        to, frm = p["To"], p.get("From") or None
        service = p.get("MessagingServiceSid") or None
        body = p.get("Body")
        media = p.get("MediaUrl") or []
        if not frm and not service:
            # https://www.twilio.com/docs/errors/21603
            raise ApiError(400, 21603, "A 'From' phone number is required.")
        if not body and not media and not p.get("ContentSid"):
            if service:
                # https://www.twilio.com/docs/errors/21619
                raise ApiError(400, 21619, "A text message body or media "
                               "urls must be specified.")
            # https://www.twilio.com/docs/errors/21602
            raise ApiError(400, 21602, "Message body is required.")
        if not re.match(r"^(whatsapp:)?\+[1-9][0-9]{1,14}$", to):
            # https://www.twilio.com/docs/errors/21211
            raise ApiError(400, 21211, "The 'To' number %s is not a valid "
                           "phone number." % to)
        if frm and not (re.match(r"^(whatsapp:)?\+[1-9][0-9]{1,14}$", frm) or
                        re.match(r"^[0-9]{5,6}$", frm) or
                        re.match(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$", frm)):
            # https://www.twilio.com/docs/errors/21212
            raise ApiError(400, 21212, "The 'From' number %s is not a valid "
                           "phone number, shortcode, or alphanumeric sender "
                           "ID." % frm)
        if body is not None and len(body) > 1600:
            # https://www.twilio.com/docs/errors/21617
            raise ApiError(400, 21617, "The concatenated message body exceeds "
                           "the 1600 character limit.")
        now = now_utc()
        sid = new_sid("SM")
        uri = "/2010-04-01/Accounts/%s/Messages/%s" % (self.account_sid, sid)
        msg = {
            "account_sid": self.account_sid, "api_version": "2010-04-01",
            "body": body or "", "date_created": rfc2822(now),
            "date_sent": None, "date_updated": rfc2822(now),
            "direction": "outbound-api", "error_code": None,
            "error_message": None, "from": frm,
            "messaging_service_sid": service,
            "num_media": str(len(media)), "num_segments":
            str(segments(body or "")), "price": None, "price_unit": "USD",
            "sid": sid, "status": "accepted" if service else "queued",
            "subresource_uris": {"media": uri + "/Media.json"},
            "to": to, "uri": uri + ".json",
        }
        with self.lock:
            self.sent.append({"message": msg, "params": p})
        return 201, msg

    # ---- control API helpers

    def dump(self, base):
        with self.lock:
            convs = []
            for c in self.convs.values():
                r = self.render_conversation(c, base)
                r["participants"] = [self.render_participant(x, base)
                                     for x in c["participants"].values()]
                r["messages"] = [dict(self.render_message(m, base),
                                      webhook_enabled=m["webhook_enabled"])
                                 for m in c["messages"].values()]
                convs.append(r)
            calls = [dict(x["call"], params=x["params"],
                          twiml_error=x["twiml_error"]) for x in self.calls]
            sent = [dict(x["message"], params=x["params"]) for x in self.sent]
        return {"conversations": convs, "calls": calls, "messages_sent": sent}

    def seed(self, spec):
        """Create conversations straight from JSON, bypassing every check."""
        out = []
        with self.lock:
            for cs in spec.get("conversations", []):
                f = {k: cs[k] for k in ("friendly_name", "unique_name",
                                        "state", "messaging_service_sid")
                     if k in cs}
                if "attributes" in cs:
                    a = cs["attributes"]
                    f["attributes"] = a if isinstance(a, str) else json.dumps(a)
                for k in ("date_created", "date_updated"):
                    if k in cs:
                        f[k] = parse_datetime(k, cs[k])
                conv = self.insert_conversation(f)
                sids = []
                for ps in cs.get("participants", []):
                    pf = {"identity": ps.get("identity")}
                    if ps.get("address"):
                        pf["binding"] = {"type": channel(ps["address"]),
                                         "address": ps["address"],
                                         "proxy_address": ps.get(
                                             "proxy_address")}
                    sids.append(self.insert_participant(conv, pf)["sid"])
                msgs = []
                for ms in cs.get("messages", []):
                    mf = {k: ms[k] for k in ("author", "body") if k in ms}
                    if "attributes" in ms:
                        a = ms["attributes"]
                        mf["attributes"] = a if isinstance(a, str) \
                            else json.dumps(a)
                    if "date_created" in ms:
                        mf["date_created"] = parse_datetime(
                            "date_created", ms["date_created"])
                    msgs.append(self.insert_message(conv, mf)["sid"])
                out.append({"sid": conv["sid"], "participants": sids,
                            "messages": msgs})
        return {"sids": [x["sid"] for x in out], "conversations": out}


# Path -> {method: (operation id in oai_params.json, Store method)}
ROUTES = [
    (re.compile(r"^/v1/Conversations$"),
     {"POST": ("CreateConversation", Store.create_conversation),
      "GET": ("ListConversation", Store.list_conversations)}),
    (re.compile(r"^/v1/Conversations/([^/]+)$"),
     {"GET": ("FetchConversation", Store.fetch_conversation),
      "POST": ("UpdateConversation", Store.update_conversation),
      "DELETE": ("DeleteConversation", Store.delete_conversation)}),
    (re.compile(r"^/v1/Conversations/([^/]+)/Participants$"),
     {"POST": ("CreateConversationParticipant", Store.create_participant),
      "GET": ("ListConversationParticipant", Store.list_participants)}),
    (re.compile(r"^/v1/Conversations/([^/]+)/Participants/([^/]+)$"),
     {"GET": ("FetchConversationParticipant", Store.fetch_participant),
      "POST": ("UpdateConversationParticipant", Store.update_participant),
      "DELETE": ("DeleteConversationParticipant",
                 Store.delete_participant)}),
    (re.compile(r"^/v1/Conversations/([^/]+)/Messages$"),
     {"POST": ("CreateConversationMessage", Store.create_message),
      "GET": ("ListConversationMessage", Store.list_messages)}),
    (re.compile(r"^/v1/ParticipantConversations$"),
     {"GET": ("ListParticipantConversation",
              Store.participant_conversations)}),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/Calls\.json$"),
     {"POST": ("CreateCall", Store.create_call)}),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$"),
     {"POST": ("CreateMessage", Store.send_message)}),
]


# --------------------------------------------------------------------------
# Fault injection

FAULT_KEYS = {"method", "path", "match", "times", "every", "skip", "status",
              "code", "message", "retry_after", "commit", "delay_ms", "drop",
              "reset_mid", "hang", "body", "oversize"}


class Fault:
    """One rule of POST /_fake/faults, with its counters."""

    def __init__(self, rule, number):
        if not isinstance(rule, dict):
            raise ValueError("a fault rule must be a JSON object")
        unknown = set(rule) - FAULT_KEYS
        if unknown:
            raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
        self.rule = rule
        self.id = number
        self.method = rule.get("method")
        self.path = re.compile(rule["path"]) if rule.get("path") else None
        self.match = {k: re.compile(v) for k, v in
                      (rule.get("match") or {}).items()}
        self.times = int(rule.get("times", 1))
        self.every = int(rule.get("every") or 0)
        self.skip = int(rule.get("skip") or 0)
        self.seen = 0       # matching requests so far
        self.applied = 0    # requests this rule acted on

    def matches(self, method, path, params):
        if self.method and self.method.upper() != method:
            return False
        if self.path and not self.path.search(path):
            return False
        for name, rx in self.match.items():
            if not any(rx.search(v) for v in params.get(name, ())):
                return False
        return True

    def count(self):
        """Count one matching request; True if the rule would act on it."""
        self.seen += 1
        n = self.seen - self.skip
        if n <= 0 or (self.every and n % self.every):
            return False
        return self.times < 0 or self.applied < self.times

    def describe(self):
        return dict(self.rule, id=self.id, seen=self.seen,
                    applied=self.applied)


# --------------------------------------------------------------------------
# The server

class FakeTwilio(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, addr, account_sid, auth_token, latency_ms, quiet,
                 connect_delay_ms=0.0):
        super().__init__(addr, Handler)
        self.quiet = quiet
        self.account_sid = account_sid
        self.default_latency = latency_ms / 1000.0
        self.default_connect_delay = connect_delay_ms / 1000.0
        # Every connection: id -> Conn; the closed ones until the next reset.
        self.conns = {}
        self.conn_ids = 0
        self.auth_token = auth_token
        self.expected_auth = "Basic " + base64.b64encode(
            ("%s:%s" % (account_sid, auth_token)).encode()).decode()
        self.tls = False
        self.params = ParamTable(PARAMS_FILE)
        self.store = Store(account_sid)
        self.store.on_added = lambda conv, msg: self.post_added(conv, msg,
                                                                "API")
        self.meta = threading.Lock()   # log, counters, faults, config
        self.reset()

    def reset(self):
        with self.store.lock, self.meta:
            self.store.reset()
            self.generation = getattr(self, "generation", 0) + 1
            self.t0 = time.monotonic()
            self.log = collections.deque(maxlen=MAX_LOG)
            self.requests = 0
            self.connections = 0
            # in_flight is a live gauge: requests still running (a hang, a
            # slow answer) finish after the reset and must not drive it < 0.
            self.in_flight = getattr(self, "in_flight", 0)
            self.in_flight_max = self.in_flight
            self.faults = []
            self.fault_count = 0
            self.webhooks = {"pre_url": None, "post_url": None,
                             "signed_base": None}
            self.webhook_log = []
            self.latency = self.default_latency
            self.connect_delay = self.default_connect_delay
            self.conns = {k: c for k, c in self.conns.items()
                          if c.closed_at is None}
            for c in self.conns.values():
                c.counted = 0       # API requests since reset

    # ---- Conversations webhooks (what Twilio sends the service)

    def sign(self, url, params):
        """X-Twilio-Signature of a form POST to url (SPEC §8)."""
        data = url + "".join(k + params[k] for k in sorted(params))
        return base64.b64encode(hmac.new(self.auth_token.encode(),
                                         data.encode(), hashlib.sha1)
                                .digest()).decode()

    def send_webhook(self, kind, url, params, timeout=5.0):
        """POSTs a signed webhook, as Twilio does: the signature over
        the URL Twilio would have called (signed_base + url's path)."""
        import urllib.request
        import urllib.error
        from urllib.parse import urlsplit
        with self.meta:
            base = self.webhooks["signed_base"]
        parts = urlsplit(url)
        signed = (base.rstrip("/") if base else
                  "%s://%s" % (parts.scheme, parts.netloc)) + parts.path + \
            ("?" + parts.query if parts.query else "")
        body = urlencode(sorted(params.items())).encode()
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.sign(signed, params),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1"})
        t0 = time.monotonic()
        entry = {"kind": kind, "url": url, "params": params, "status": 0,
                 "body": None, "ctype": None, "elapsed_ms": None}
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                entry["status"] = r.status
                entry["ctype"] = r.headers.get("Content-Type")
                entry["body"] = r.read(1 << 20).decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            entry["status"] = e.code
            entry["ctype"] = e.headers.get("Content-Type")
            entry["body"] = e.read(1 << 20).decode("utf-8", "replace")
        except (OSError, ValueError) as e:
            entry["body"] = "no answer: %s" % e
        entry["elapsed_ms"] = round((time.monotonic() - t0) * 1000.0, 1)
        with self.meta:
            self.webhook_log.append(entry)
        return entry

    def message_params(self, conv, event, author, body, participant,
                       attributes, source):
        p = {"AccountSid": self.account_sid,
             "ChatServiceSid": self.store.chat_service_sid,
             "ConversationSid": conv["sid"],
             "MessagingServiceSid": conv["messaging_service_sid"] or "",
             "EventType": event, "Author": author, "Body": body or "",
             "Attributes": attributes, "Source": source,
             "RetryCount": "0"}
        if participant:
            p["ParticipantSid"] = participant
        return p

    def post_added(self, conv, msg, source):
        """onMessageAdded to the post-event URL, if set."""
        with self.meta:
            url = self.webhooks["post_url"]
        if not url:
            return None
        p = self.message_params(conv, "onMessageAdded", msg["author"],
                                msg["body"], msg["participant_sid"],
                                msg["attributes"], source)
        p.update({"MessageSid": msg["sid"], "Index": str(msg["index"]),
                  "DateCreated": iso(msg["date_created"])})
        e = self.send_webhook("post", url, p)
        return {"status": e["status"], "body": e["body"]}

    def inbound_sms(self, base, data):
        """POST /_fake/sms: a text from a person to a pool number."""
        frm, to, body = data["from"], data["to"], data.get("body", "")
        with self.store.lock:
            sids = self.store.bindings.get((frm, to), {})
            conv = next((self.store.convs[c] for c in sids
                         if self.store.convs[c]["state"] != "closed"), None)
            if conv is None:
                return 404, {"error": "no open conversation binds %s to %s"
                             % (frm, to)}
            part = next(x["sid"] for x in conv["participants"].values()
                        if x["binding"] and x["binding"].get("address") == frm
                        and x["binding"].get("proxy_address") == to)
        fields = {"author": frm, "body": body, "participant_sid": part,
                  "attributes": "{}"}
        out = {"conversation_sid": conv["sid"], "added": None, "pre": None,
               "post": None}
        with self.meta:
            pre_url = self.webhooks["pre_url"]
        if pre_url:
            e = self.send_webhook("pre", pre_url, self.message_params(
                conv, "onMessageAdd", frm, body, part, "{}", "SMS"))
            out["pre"] = {k: e[k] for k in ("status", "elapsed_ms", "body",
                                            "ctype")}
            if e["status"] != 200:
                return 200, out         # rejected: nobody gets it
            text = (e["body"] or "").strip()
            if text:
                try:
                    change = json.loads(text)
                except ValueError:
                    change = None
                if isinstance(change, dict):
                    for k in ("body", "author", "attributes"):
                        if isinstance(change.get(k), str):
                            fields[k] = change[k]
        with self.store.lock:
            if conv["sid"] not in self.store.convs or \
                    conv["state"] == "closed":
                return 200, out
            msg = self.store.insert_message(conv, fields)
            out["added"] = self.store.render_message(msg, base)
        out["post"] = self.post_added(conv, msg, "SMS")
        return 200, out

    def conn_open(self, peer_port, sock):
        with self.meta:
            self.conn_ids += 1
            c = Conn(self.conn_ids, peer_port, time.monotonic(), sock)
            self.conns[c.id] = c
            return c

    def conn_closed(self, c):
        with self.meta:
            c.closed_at = time.monotonic()
            c.sock = None

    def close_idle(self):
        """POST /_fake/close-idle: shuts down every open connection not
        answering a request now; its handler then reads the end of it."""
        with self.meta:
            # The sockets taken now: a connection ending meanwhile drops
            # its c.sock (shutting down a closed socket is harmless).
            idle = [(c, c.sock) for c in self.conns.values()
                    if c.closed_at is None and not c.busy and c.sock]
            for c, _ in idle:
                c.busy = True       # no request starts on it any more
        for _, sock in idle:
            try:
                # The raw socket's: TLS's would drop its state under the
                # handler's thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        return len(idle)

    def connection_list(self):
        """GET /_fake/connections: looks up the pids not yet known."""
        with self.meta:
            conns = sorted(self.conns.values(), key=lambda c: c.id)
            want = {c.peer_port: c for c in conns
                    if c.pid is None and c.closed_at is None}
            t0 = self.t0
        if want:
            found = peer_pids(self.server_address[1], set(want))
            with self.meta:
                for port, pid in found.items():
                    if want[port].closed_at is None or pid is not None:
                        want[port].pid = pid

        def rel(t):
            return None if t is None else round(t - t0, 6)
        with self.meta:
            return [{"id": c.id, "peer_port": c.peer_port, "pid": c.pid,
                     "opened_at": rel(c.opened_at),
                     "closed_at": rel(c.closed_at), "requests": c.requests}
                    for c in conns]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout)):
            return      # the client went away: normal under fault tests
        super().handle_error(request, client_address)

    def pick_fault(self, method, path, params):
        """The first rule acting on this request.

        Every matching rule counts the request (for skip and every), but
        only the one that acts uses up one of its `times`.
        """
        with self.meta:
            chosen = None
            for f in self.faults:
                if f.matches(method, path, params) and f.count() \
                        and chosen is None:
                    chosen = f
            if chosen:
                chosen.applied += 1
            return chosen


class Conn:
    """One accepted connection, for GET /_fake/connections."""

    __slots__ = ("id", "peer_port", "pid", "opened_at", "closed_at",
                 "requests", "counted", "sock", "busy")

    def __init__(self, id_, peer_port, opened_at, sock):
        self.id, self.peer_port, self.opened_at = id_, peer_port, opened_at
        self.pid = self.closed_at = None
        self.requests = self.counted = 0
        self.sock, self.busy = sock, False


def socket_inodes(local_ports, remote_port):
    """{inode: local port} of the TCP sockets (v4 and v6) from one of
    local_ports to remote_port: the client's ends of our connections."""
    out = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f, None)
                for line in f:
                    v = line.split()
                    if len(v) < 10:
                        continue
                    lport = int(v[1].rsplit(":", 1)[1], 16)
                    rport = int(v[2].rsplit(":", 1)[1], 16)
                    if lport in local_ports and rport == remote_port and \
                            v[9] != "0":
                        out[v[9]] = lport
        except OSError:
            pass
    return out


def peer_pids(server_port, ports):
    """{peer port: pid or None} for our connections from those ports: the
    socket's inode from /proc/net/tcp{,6}, then the process holding
    socket:[inode] among every /proc/PID/fd (the first found: a socket
    inherited across fork() is in both)."""
    inodes = socket_inodes(ports, server_port)
    out = {p: None for p in ports}
    if not inodes:
        return out
    left = dict(("socket:[%s]" % k, v) for k, v in inodes.items())
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % d)
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink("/proc/%s/fd/%s" % (d, fd))
            except OSError:
                continue
            port = left.pop(link, None)
            if port is not None:
                out[port] = int(d)
        if not left:
            break
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-twilio/1.0"
    sys_version = ""

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.generation = None   # server generation this connection counted in
        self.conn_no = 0
        self.first_done = False  # an API request was answered on it
        self.conn = self.server.conn_open(self.client_address[1],
                                          self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.conn_closed(self.conn)

    def log_message(self, fmt, *args):
        pass  # per-request lines are written by api_request when not quiet

    # Every method lands in one dispatcher.
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    # ---- raw I/O

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    self.close_connection = True
                    raise ApiError(413, 20413, "Request body too large")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, 20413, "Request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body=b"", headers=None, partial=False):
        """Write a whole response in one write (no Nagle stalls)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        lines = ["HTTP/1.1 %d %s" % (status, self.responses.get(
            status, ("Unknown",))[0]),
            "Server: fake-twilio", "Content-Length: %d" % len(body)]
        if status != 204:
            lines.append("Content-Type: application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        if self.close_connection:
            lines.append("Connection: close")
        if partial:
            body = body[:len(body) // 2]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def drop(self):
        """Close the connection without (further) answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def hang(self, generation):
        """Answer nothing until the client leaves, a reset, or HANG_MAX_S."""
        deadline = time.monotonic() + HANG_MAX_S
        while time.monotonic() < deadline and not STOP.is_set() \
                and self.server.generation == generation:
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    # The raw socket's recv: TLS's refuses MSG_PEEK.
                    if not socket.socket.recv(self.connection, 1,
                                              socket.MSG_PEEK):
                        break       # the client closed its end
                except OSError:
                    break
                time.sleep(0.2)     # pipelined data: keep waiting, no spin
        self.drop()

    def base_url(self):
        host = self.headers.get("Host")
        if not host:
            host = "%s:%d" % self.server.server_address[:2]
        return ("https://" if self.server.tls else "http://") + host

    # ---- dispatch

    def dispatch(self, method):
        path, _, qs = self.path.partition("?")
        try:
            body = self.read_body()
        except ApiError as e:
            self.send(e.status, e.body())
            return
        except (ValueError, OSError):
            self.close_connection = True
            self.send(400, error_json(400, 20001, "Malformed request body"))
            return
        with self.server.meta:
            if self.conn.busy:      # being closed by POST /_fake/close-idle
                self.close_connection = True
                return
            self.conn.busy = True
        try:
            if path.startswith("/_fake/"):
                self.control(method, path, body)
            else:
                self.api_request(method, path, qs, body)
        finally:
            with self.server.meta:
                self.conn.busy = False

    def api_request(self, method, path, qs, raw):
        srv = self.server
        started = time.monotonic()
        query = parse_qs(qs, keep_blank_values=True)
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        form = parse_qs(raw.decode("utf-8", "replace"),
                        keep_blank_values=True) if ctype == FORM_TYPE else {}
        auth_ok = hmac.compare_digest(
            self.headers.get("Authorization", "").encode(),
            srv.expected_auth.encode())
        with srv.meta:
            generation = srv.generation
            if self.generation != generation:
                self.generation = generation
                srv.connections += 1
                self.conn_no = srv.connections
            first = not self.first_done
            self.first_done = True
            self.conn.requests += 1
            self.conn.counted += 1
            entry = {"method": method, "path": path, "query": query,
                     "form": form, "status": 0, "conn": self.conn_no,
                     "first": first,
                     "auth_ok": auth_ok,
                     "webhook_enabled": self.headers.get(
                         "X-Twilio-Webhook-Enabled"),
                     "t": round(started - srv.t0, 6), "fault": None}
            srv.log.append(entry)
            srv.requests += 1
            srv.in_flight += 1
            srv.in_flight_max = max(srv.in_flight_max, srv.in_flight)
            latency = srv.latency + (srv.connect_delay if first else 0.0)
        try:
            params = dict(query)
            params.update(form)
            fault = srv.pick_fault(method, path, params)
            if fault:
                entry["fault"] = fault.id
            delay = latency + (fault.rule.get("delay_ms", 0) / 1000.0
                               if fault else 0)
            if delay > 0:
                time.sleep(delay)
            answer = None
            if not fault or fault.rule.get("commit") or not any(
                    k in fault.rule for k in ("status", "drop", "reset_mid",
                                              "hang", "body", "oversize")):
                answer = self.api(method, path, query, form, ctype, raw,
                                  auth_ok)
            if fault:
                answer = self.apply_fault(fault.rule, answer, generation)
            if answer is not None:
                status, body, headers, partial = answer
                # Logged before it is sent: a client that reads the log
                # once it has its answer must find the status there.
                entry["status"] = status
                self.send(status, b"" if body is None else body, headers,
                          partial)
        finally:
            with srv.meta:
                srv.in_flight -= 1
            if not srv.quiet:
                sys.stderr.write("%s %s %s %d %.1fms\n" % (
                    self.client_address[1], method, self.path,
                    entry["status"], (time.monotonic() - started) * 1000))

    def apply_fault(self, rule, answer, generation):
        """Turn a rule into the answer to send (None: nothing is sent)."""
        if rule.get("drop"):
            self.drop()
            return None
        if rule.get("hang"):
            self.hang(generation)
            return None
        status = int(rule.get("status", 0))
        headers = {}
        if "retry_after" in rule:
            headers["Retry-After"] = str(rule["retry_after"])
        if rule.get("reset_mid"):
            self.close_connection = True
            if answer is not None and not status:
                return answer[0], answer[1], answer[2], True
            body = rule.get("body") or json.dumps({"conversations": [
                {"sid": "CH" + "0" * 32, "friendly_name": "x" * 200}] * 10})
            return status or 200, body, headers, True
        if "body" in rule:
            return status or 200, rule["body"], headers, False
        if "oversize" in rule:
            n = max(int(rule["oversize"]), 14)
            return status or 200, '{"padding":"%s"}' % ("x" * (n - 14)), \
                headers, False
        if status or rule.get("commit"):
            status = status or 500
            code = int(rule.get("code") or
                       (20003 if status == 401 else 20000 + status))
            message = rule.get("message") or self.responses.get(
                status, ("Error",))[0]
            return status, error_json(status, code, message), headers, False
        return answer   # delay_ms alone

    def api(self, method, path, query, form, ctype, raw, auth_ok):
        """Run one REST call; returns (status, body, headers, partial)."""
        try:
            if not auth_ok:
                raise ApiError(401, 20003, "Authenticate", {
                    "WWW-Authenticate": 'Basic realm="Twilio API"'})
            for rx, methods in ROUTES:
                m = rx.match(path)
                if m:
                    break
            else:
                raise not_found(path)
            if method not in methods:
                raise ApiError(405, 20004, "Method not allowed",
                               {"Allow": ", ".join(sorted(methods))})
            op_id, func = methods[method]
            if method == "POST" and raw and ctype != FORM_TYPE:
                raise ApiError(400, 20001, "Invalid Content-Type %r: expected "
                               "%s" % (ctype, FORM_TYPE))
            values = dict(query)
            if method == "POST":
                values.update(form)
            p = self.server.params.validate(op_id, values, self.headers)
            args = [unquote(g) for g in m.groups()]
            status, body = func(self.server.store, self.base_url(), args, p)
            return status, body, {}, False
        except ApiError as e:
            return e.status, e.body(), e.headers, False
        except Exception:       # a bug in the fake: say so, keep serving
            traceback.print_exc()
            return 500, error_json(500, 20500, "fake-twilio internal error"), \
                {}, False

    # ---- control API (tests only; no auth, not logged)

    def control(self, method, path, raw):
        srv = self.server
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            self.send(400, {"error": "body is not JSON"})
            return
        key = (method, path.rstrip("/"))
        try:
            if key == ("POST", "/_fake/reset"):
                srv.reset()
                out = {"ok": True}
            elif key == ("GET", "/_fake/state"):
                out = srv.store.dump(self.base_url())
            elif key == ("GET", "/_fake/requests"):
                with srv.meta:
                    out = [dict(e) for e in srv.log]
            elif key == ("GET", "/_fake/stats"):
                with srv.meta:
                    out = {"requests": srv.requests,
                           "connections": srv.connections,
                           "in_flight_max": srv.in_flight_max,
                           "in_flight": srv.in_flight,
                           "open_connections": sum(
                               1 for c in srv.conns.values()
                               if c.closed_at is None),
                           "connections_by_peer": {
                               str(c.peer_port): c.counted
                               for c in srv.conns.values() if c.counted}}
            elif key == ("GET", "/_fake/connections"):
                out = srv.connection_list()
            elif key == ("POST", "/_fake/close-idle"):
                out = {"closed": srv.close_idle()}
            elif key in (("GET", "/_fake/config"), ("POST", "/_fake/config")):
                with srv.meta:
                    if "latency_ms" in data:
                        srv.latency = float(data["latency_ms"]) / 1000.0
                    if "connect_delay_ms" in data:
                        srv.connect_delay = float(
                            data["connect_delay_ms"]) / 1000.0
                    out = {"latency_ms": srv.latency * 1000.0,
                           "connect_delay_ms": srv.connect_delay * 1000.0,
                           "account_sid": srv.account_sid,
                           "chat_service_sid": srv.store.chat_service_sid,
                           "messaging_service_sid":
                               srv.store.messaging_service_sid}
            elif key == ("POST", "/_fake/faults"):
                rules = data.get("faults")
                if not isinstance(rules, list):
                    raise ValueError('expected {"faults": [rule, ...]}')
                with srv.meta:
                    new = []
                    for r in rules:
                        srv.fault_count += 1
                        new.append(Fault(r, srv.fault_count))
                    srv.faults.extend(new)
                    out = {"added": [f.id for f in new],
                           "faults": [f.describe() for f in srv.faults]}
            elif key == ("GET", "/_fake/faults"):
                with srv.meta:
                    out = {"faults": [f.describe() for f in srv.faults]}
            elif key == ("DELETE", "/_fake/faults"):
                with srv.meta:
                    srv.faults = []
                out = {"ok": True}
            elif key == ("POST", "/_fake/seed"):
                out = srv.store.seed(data)
            elif key == ("POST", "/_fake/webhooks"):
                with srv.meta:
                    for k in ("pre_url", "post_url", "signed_base"):
                        if k in data:
                            srv.webhooks[k] = data[k]
                    out = dict(srv.webhooks)
            elif key == ("GET", "/_fake/webhooks"):
                with srv.meta:
                    out = dict(srv.webhooks)
            elif key == ("GET", "/_fake/webhook-log"):
                with srv.meta:
                    out = list(srv.webhook_log)
            elif key == ("POST", "/_fake/sms"):
                status, out = srv.inbound_sms(self.base_url(), data)
                if status != 200:
                    self.send(status, out)
                    return
            else:
                self.send(404, {"error": "no control endpoint %s %s"
                                % (method, path)})
                return
        except (ValueError, TypeError, KeyError, AttributeError, re.error,
                ApiError) as e:
            self.send(400, {"error": str(e)})
            return
        self.send(200, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake Twilio REST API")
    ap.add_argument("--port", type=int, required=True,
                    help="port to listen on; 0 picks a free one")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--account-sid", default="AC" + "0" * 32)
    ap.add_argument("--auth-token", default="sandbox-auth-token")
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="added latency of every API request")
    ap.add_argument("--connect-delay-ms", type=float, default=0.0,
                    help="added to the first API answer on each new "
                    "connection (the handshakes' round trips)")
    ap.add_argument("--quiet", action="store_true",
                    help="no per-request log lines on stderr")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate "
                    "(PEM; --tls-key its key), as Twilio does")
    ap.add_argument("--tls-key")
    args = ap.parse_args(argv)

    server = FakeTwilio((args.host, args.port), args.account_sid,
                        args.auth_token, args.latency_ms, args.quiet,
                        args.connect_delay_ms)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake happens in the handler's thread, on first read.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        server.tls = True
    host, port = server.server_address[:2]
    print("fake-twilio listening on %s:%d" % (host, port), flush=True)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    while not done.wait(1.0):
        pass
    STOP.set()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
