#!/usr/bin/env python3
"""Signs a webhook exactly as Twilio does (X-Twilio-Signature).

usage: sign.py TOKEN URL [NAME=VALUE ...]
       sign.py --json TOKEN URL BODY     (URL must already carry bodySHA256)

Parameters are sorted by name (bytewise); a repeated name contributes each
distinct value once, values sorted; name and value are concatenated to the
URL with no separators; the HMAC-SHA1 with the token is printed in base64.
"""
import base64
import hashlib
import hmac
import sys


def sign(token, url, pairs):
    data = url
    names = sorted({n for n, _ in pairs}, key=lambda s: s.encode())
    for name in names:
        values = sorted({v for n, v in pairs if n == name}, key=lambda s: s.encode())
        for v in values:
            data += name + v
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def main():
    args = sys.argv[1:]
    if args and args[0] == "--json":
        token, url = args[1], args[2]
        print(sign(token, url, []))
        return
    token, url = args[0], args[1]
    pairs = [a.split("=", 1) for a in args[2:]]
    print(sign(token, url, [(n, v) for n, v in pairs]))


if __name__ == "__main__":
    main()
