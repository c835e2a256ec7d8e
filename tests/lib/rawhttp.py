#!/usr/bin/env python3
"""A raw HTTP/1.1 client for the hostile-input tests: it sends what curl will
not (a Content-Length that is missing, negative, not a number or longer than
the body; malformed chunked encoding; repeated or huge headers; NUL bytes)
and tells a real answer from a dropped connection and from a hang.

usage: rawhttp.py [options] URL          (URL: http://127.0.0.1:PORT/path)

  -X METHOD            the method (default POST)
  -H 'Name: value'     a header line, sent as given (repeatable, in order;
                       backslash escapes as in --data)
  --data STR           the body (backslash escapes as in Python: \\x00, \\r\\n)
  --data-file FILE     the body, from a file
  --length auto|none|TEXT
                       Content-Length: the body's length (auto, the default),
                       none at all, or TEXT sent verbatim ("-1", "abc", ...)
  --chunked            Transfer-Encoding: chunked, the body in chunks of
                       --chunk-size bytes (default 4096), no Content-Length
                       unless --length says otherwise
  --raw                send the body exactly as given after the headers, with
                       no framing added (for malformed chunked bodies)
  --half-close         shut down the sending side once the body is sent
  --sign TOKEN SIGNURL add X-Twilio-Signature: Twilio's signature over SIGNURL
                       and the body's form parameters, decoded as the
                       programs decode them (bytes, not text)
  --timeout SECONDS    give up after this long overall (default 10)
  --sign-only TOKEN SIGNURL
                       print that signature for the body and exit (URL unused)

Prints the status code, the Content-Type and the body, one per line (the
body last, as it came). Without an answer it prints "000", an empty line and
"no answer: connection closed" or "no answer: timeout", and exits 1 (closed)
or 2 (timeout); 3 if the server could not be reached, 4 for a wrong
argument. Standard library only.
"""
import codecs
import os
import select
import socket
import sys
import time

# Started once per request by the tests: only what starts fast is imported
# up front (no argparse, no urllib), the rest where it is needed.


def form_pairs(body):
    """The body's (name, value) byte pairs, decoded like lib/form.c (without
    its checks: a bad escape is left as it is)."""
    pairs = []
    for part in body.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        pairs.append((unescape(name), unescape(value)))
    return pairs


def unescape(s):
    out = bytearray()
    i = 0
    hexdigits = b"0123456789abcdefABCDEF"
    while i < len(s):
        c = s[i]
        if c == 0x2B:
            out.append(0x20)
        elif c == 0x25 and i + 2 < len(s) and s[i + 1] in hexdigits \
                and s[i + 2] in hexdigits:
            out.append(int(s[i + 1:i + 3], 16))
            i += 2
        else:
            out.append(c)
        i += 1
    return bytes(out)


def signature(token, url, body):
    """X-Twilio-Signature over url and the form parameters of body: sorted by
    name then value, a repeated (name, value) pair counted once."""
    import base64
    import hashlib
    import hmac
    data = url.encode()
    for name, value in sorted(set(form_pairs(body))):
        data += name + value
    mac = hmac.new(token.encode(), data, hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def build(args, host, path, body):
    lines = ["%s %s HTTP/1.1" % (args.method, path), "Host: %s" % host]
    lines += [codecs.escape_decode(os.fsencode(h))[0].decode("latin-1")
              for h in args.header]
    if args.length == "auto":
        if not args.chunked and not args.raw:
            lines.append("Content-Length: %d" % len(body))
    elif args.length != "none":
        lines.append("Content-Length: %s" % args.length)
    if args.chunked:
        lines.append("Transfer-Encoding: chunked")
    if args.sign:
        lines.append("X-Twilio-Signature: %s" % signature(
            args.sign[0], args.sign[1], body))
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if args.chunked and not args.raw:
        n = max(args.chunk_size, 1)
        out = bytearray()
        for i in range(0, len(body), n):
            piece = body[i:i + n]
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        out += b"0\r\n\r\n"
        body = bytes(out)
    return head + body


def response_done(data):
    """Whether data holds a whole answer (headers plus framed body)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = data[:end].decode("latin-1").lower().split("\r\n")
    rest = data[end + 4:]
    status = head[0].split()
    if len(status) > 1 and status[1] in ("204", "304"):
        return True
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip() == "content-length":
            try:
                return len(rest) >= int(value.strip())
            except ValueError:
                return False
        if name.strip() == "transfer-encoding" and "chunked" in value:
            return rest.endswith(b"0\r\n\r\n")
    return False        # read to the close


def dechunk(rest):
    out = bytearray()
    while True:
        line, _, rest = rest.partition(b"\r\n")
        try:
            n = int(line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            return bytes(out)
        if n == 0:
            return bytes(out)
        out += rest[:n]
        rest = rest[n + 2:]


def exchange(args, request, host, port):
    deadline = time.monotonic() + args.timeout
    try:
        sock = socket.create_connection((host, port), timeout=args.timeout)
    except OSError as e:
        return None, "cannot connect: %s" % e
    sock.setblocking(False)
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLOUT)
    sent, data, writing, why = 0, b"", True, None
    while not why:
        left = deadline - time.monotonic()
        if left <= 0:
            why = "timeout"
            break
        for _, ev in poller.poll(min(left, 0.5) * 1000):
            if ev & select.POLLOUT and writing:
                try:
                    sent += sock.send(request[sent:sent + 65536])
                except BlockingIOError:
                    pass
                except OSError:
                    writing = False     # the server stopped reading: listen
                if sent >= len(request):
                    writing = False
                if not writing:
                    if args.half_close:
                        try:
                            sock.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                    poller.modify(sock, select.POLLIN)
            if ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
                try:
                    chunk = sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    why = "closed"
                    break
                data += chunk
                if response_done(data):
                    why = "done"
                    break
    sock.close()
    if data.find(b"\r\n\r\n") < 0:
        return None, "timeout" if why == "timeout" else "connection closed"
    return data, None


class Args:
    method = "POST"
    data = None
    data_file = None
    length = "auto"
    chunked = False
    chunk_size = 4096
    raw = False
    half_close = False
    sign = None
    sign_only = None
    timeout = 10.0
    url = None

    def __init__(self):
        self.header = []


def usage(message):
    sys.stderr.write("rawhttp.py: %s\n" % message)
    sys.exit(4)


def parse_args(argv):
    a = Args()
    i = 0

    def value(n=1):
        nonlocal i
        if i + n >= len(argv):
            usage("%s needs %d argument(s)" % (argv[i], n))
        v = argv[i + 1:i + 1 + n]
        i += n
        return v[0] if n == 1 else v
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=")
        if eq and name in ("--data", "--data-file", "--length",
                           "--chunk-size", "--timeout"):
            arg, v = name, inline
        else:
            v = None
        if arg == "-X":
            a.method = value()
        elif arg == "-H":
            a.header.append(value())
        elif arg == "--data":
            a.data = v if v is not None else value()
        elif arg == "--data-file":
            a.data_file = v if v is not None else value()
        elif arg == "--length":
            a.length = v if v is not None else value()
        elif arg == "--chunk-size":
            a.chunk_size = int(v if v is not None else value())
        elif arg == "--timeout":
            a.timeout = float(v if v is not None else value())
        elif arg == "--chunked":
            a.chunked = True
        elif arg == "--raw":
            a.raw = True
        elif arg == "--half-close":
            a.half_close = True
        elif arg == "--sign":
            a.sign = value(2)
        elif arg == "--sign-only":
            a.sign_only = value(2)
        elif arg.startswith("-") and a.url is None and arg != "-":
            usage("unknown option %s (see its docstring)" % arg)
        elif a.url is None:
            a.url = arg
        else:
            usage("one URL only")
        i += 1
    if a.url is None:
        usage("no URL\n" + __doc__)
    return a


def main():
    args = parse_args(sys.argv[1:])
    rest = args.url.split("://", 1)[-1]
    netloc, slash, path = rest.partition("/")
    path = slash + path or "/"
    host, _, port = netloc.rpartition(":")
    if not host:
        host, port = port, "80"
    if args.data_file:
        with open(args.data_file, "rb") as f:
            body = f.read()
    elif args.data is not None:
        body = codecs.escape_decode(os.fsencode(args.data))[0]
    else:
        body = b""
    if args.sign_only:
        print(signature(args.sign_only[0], args.sign_only[1], body))
        return 0
    request = build(args, netloc, path, body)
    data, why = exchange(args, request, host, int(port))
    out = sys.stdout.buffer
    if data is None:
        out.write(b"000\n\nno answer: %s\n" % why.encode())
        out.flush()
        return 3 if why.startswith("cannot") else 2 if why == "timeout" else 1
    end = data.find(b"\r\n\r\n")
    head = data[:end].decode("latin-1").split("\r\n")
    rest = data[end + 4:]
    status = head[0].split()
    code = status[1] if len(status) > 1 else "000"
    ctype = ""
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            ctype = value.strip()
        if name.strip().lower() == "transfer-encoding" and \
                "chunked" in value.lower():
            rest = dechunk(rest)
    out.write(code.encode() + b"\n" + ctype.encode("latin-1") + b"\n" + rest)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
