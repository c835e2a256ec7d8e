const crypto = require("crypto");

// Whether X-Masked-Signature `header` signs `body` (a Buffer) with `secret`.
function verify(secret, header, body, tolerance = 300) {
  const items = String(header || "").split(",").map((kv) => kv.split(/=(.*)/s));
  if (items.some((kv) => kv.length < 2)) return false;
  const ts = items.filter(([k]) => k === "t").map(([, v]) => v);
  const sigs = items.filter(([k]) => k === "v1").map(([, v]) => v.toLowerCase());
  if (ts.length !== 1 || !/^[0-9]{1,18}$/.test(ts[0]) || sigs.length === 0) return false;
  if (Math.abs(Date.now() / 1000 - Number(ts[0])) > tolerance) return false; // a replay
  const mac = Buffer.from(crypto.createHmac("sha256", secret)
    .update(ts[0] + ".").update(body).digest("hex"));
  return sigs.some((s) => s.length === mac.length && crypto.timingSafeEqual(mac, Buffer.from(s)));
}

module.exports = { verify };
