#!/usr/bin/env python3
"""Runs the README's examples as a reader would, and checks their answers.

    python3 tests/lib/readme.py README.md DIR

Takes the ```sh blocks of the sections named in SECTIONS, in order, skips
the one that starts the service (make run / make test: the caller has
`make run` up already), and runs each block with bash in DIR, one shell for
all of them, so that a variable a block sets (the session's sid) is there
for the next. A block's expected output is either its "# " comment lines
after the last command, or the ```json block that follows it; "…" in the
expected text stands for anything, and white space between JSON tokens is
ignored. Prints one line per block and "N passed, N failed".
"""

import re
import subprocess
import sys

SECTIONS = ("Quick start", "POST /sessions", "Managing sessions",
            "POST /inbound-call",
            "POST /conversations-post-event", "POST /conversations-pre-event",
            "Webhook signatures")
START = re.compile(r"^\s*make (run|test)\b")


def sections(text):
    """The body of each '## ' section named in SECTIONS, in README order."""
    out, name, body = [], None, []
    for line in text.splitlines():
        m = re.match(r"^## (.*)$", line)
        if m:
            if name in SECTIONS:
                out.append((name, body))
            name, body = m.group(1).strip(), []
        else:
            body.append(line)
    if name in SECTIONS:
        out.append((name, body))
    return out


def blocks(lines):
    """(kind, text) of each fenced block: kind is the fence's language."""
    out, kind, cur = [], None, []
    for line in lines:
        m = re.match(r"^```(\w*)\s*$", line)
        if m and kind is None:
            kind, cur = m.group(1) or "text", []
        elif m and kind is not None:
            out.append((kind, "\n".join(cur)))
            kind = None
        elif kind is not None:
            cur.append(line)
    return out


def pattern(expected, json_like):
    """A regex for expected, '…' matching anything."""
    parts = expected.split("…")
    if json_like:
        # White space between tokens is layout, not content.
        parts = [re.sub(r"\s+", "", p) for p in parts]
    return re.compile("^" + ".*?".join(re.escape(p) for p in parts) + "$",
                      re.S)


def main():
    readme, where = sys.argv[1], sys.argv[2]
    text = open(readme, encoding="utf-8").read()
    cases = []
    for name, body in sections(text):
        bl = blocks(body)
        for i, (kind, code) in enumerate(bl):
            if kind != "sh" or START.match(code):
                continue
            lines = code.splitlines()
            cmds = [l for l in lines if not l.startswith("# ")]
            want = [l[2:] for l in lines if l.startswith("# ")]
            json_like = False
            if not want and i + 1 < len(bl) and bl[i + 1][0] == "json":
                want, json_like = [bl[i + 1][1]], True
            cases.append((name, "\n".join(cmds), "\n".join(want), json_like))
    if not cases:
        print("no example found in %s" % readme)
        print("0 passed, 1 failed")
        return 1

    sh = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=where,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    passed = failed = 0
    marker = "@@readme-example-done@@"
    for n, (name, cmds, want, json_like) in enumerate(cases, 1):
        sh.stdin.write(cmds + "\n__rc=$?; echo; echo %s $__rc\n" % marker)
        sh.stdin.flush()
        got = []
        rc = None
        for line in sh.stdout:
            if line.startswith(marker):
                rc = int(line.split()[1])
                break
            got.append(line)
        out = "".join(got).rstrip("\n")
        if json_like:
            out = re.sub(r"\s+", "", out)
        ok = rc == 0 and (not want or pattern(want, json_like).match(out))
        if ok:
            passed += 1
            print("ok %d %s: %s" % (n, name, cmds.splitlines()[0]))
        else:
            failed += 1
            print("FAILED %d %s (exit %s):\n--- ran\n%s\n--- wanted\n%s\n"
                  "--- got\n%s" % (n, name, rc, cmds, want, out))
    sh.stdin.close()
    sh.wait()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
