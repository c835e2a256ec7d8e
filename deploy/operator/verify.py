import hashlib, hmac, re, time

def verify(secret, header, body, tolerance=300):
    """Whether X-Masked-Signature `header` signs `body` (bytes) with `secret`."""
    items = [kv.split("=", 1) for kv in (header or "").split(",")]
    if not (header or "").isascii() or any(len(kv) != 2 for kv in items):
        return False
    ts = [v for k, v in items if k == "t"]
    sigs = [v.lower() for k, v in items if k == "v1"]
    if len(ts) != 1 or not re.fullmatch(r"[0-9]{1,18}", ts[0]) or not sigs:
        return False
    if abs(time.time() - int(ts[0])) > tolerance:
        return False  # a replay, or a clock far off
    mac = hmac.new(secret.encode(), ts[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, s) for s in sigs)
