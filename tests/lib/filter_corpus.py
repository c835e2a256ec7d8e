#!/usr/bin/env python3
"""Sends every message of the filter's corpus through a running
pre-event.fcgi, as Twilio's signed onMessageAdd, and checks each answer.

    python3 tests/lib/filter_corpus.py BASE_URL DOMAIN TOKEN SID CORPUS

SID is an open conversation (the session the texts are in). A "contact"
line must come back 200 with {"body": ...} (exactly the corpus's redaction
when the line has one, [redacted] being the mark); a "clean" line 200 with
no body. Prints one line per message that differs, then
"corpus: N messages, precision P, recall R (tp fp fn tn)" and exits 1 on
any difference.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign import sign  # noqa: E402


def main():
    base, domain, token, sid, corpus = sys.argv[1:6]
    path = "/conversations-pre-event"
    tp = fp = fn = tn = bad = 0
    for n, line in enumerate(open(corpus, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        verdict, text = cols[0], cols[2]
        want = cols[3] if len(cols) > 3 else None
        pairs = [("EventType", "onMessageAdd"), ("ConversationSid", sid),
                 ("Author", "+14155551234"), ("Source", "SMS"),
                 ("ParticipantSid", "MB" + "0" * 31 + "1"), ("Body", text)]
        req = urllib.request.Request(
            base + path, data=urllib.parse.urlencode(pairs).encode(),
            headers={"X-Twilio-Signature": sign(
                token, "https://%s%s" % (domain, path), pairs),
                "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, body = r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", "replace")
        got = None
        if status == 200 and body:
            got = json.loads(body).get("body")
        caught = got is not None
        ok = status == 200 and caught == (verdict == "contact") and \
            (want is None or got == want)
        if verdict == "contact":
            tp, fn = tp + caught, fn + (not caught)
        else:
            fp, tn = fp + caught, tn + (not caught)
        if not ok:
            bad += 1
            print("line %d (%s): %d %r, want %s %r" % (
                n, verdict, status, body, verdict, want))
    total = tp + fp + fn + tn
    print("corpus: %d messages, precision %.3f, recall %.3f "
          "(tp %d fp %d fn %d tn %d)" % (
              total, tp / (tp + fp) if tp + fp else 1.0,
              tp / (tp + fn) if tp + fn else 1.0, tp, fp, fn, tn))
    return 1 if bad or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
