#!/usr/bin/python3
"""openapi_check.py: holds the service's answers to its OpenAPI description.

    openapi_check.py SPEC ANSWERS.jsonl
        Each line of ANSWERS is one answer the service gave:
          {"method": "GET", "path": "/sessions/CH...?x=1", "status": 200,
           "content_type": "application/json", "body": "<the raw body>",
           "case": "optional label", "headers": {"allow": "..."} (optional)}
        Each is checked against the operation its path and method name in
        SPEC: the status is documented, the content type and the body are
        those documented (the body parsed and validated against its JSON
        Schema), a response without content has an empty body, and the
        headers given (if any) include the documented required ones. A path
        or method SPEC does not describe must be answered 404 or 405 with the
        error body. A success to a request whose query breaks the documented
        parameters (pageSize out of bounds, a state not in the enum, an
        address not E.164) is a problem too. Prints every problem; exits 1
        if any.

    openapi_check.py SPEC --self-test
        Checks SPEC itself: every $ref resolves, every schema is valid JSON
        Schema 2020-12, every operation has an operationId, a success
        response, and an example of each request body and success body,
        every example validates against its schema, error statuses carry
        the error schema, 204 has no content, 401 and 405 their headers.

Run with Debian's python3 (python3-jsonschema 4.10, python3-yaml).
"""
import json
import re
import sys
import urllib.parse

import yaml
from jsonschema import Draft202012Validator, RefResolver
from jsonschema.exceptions import RefResolutionError, SchemaError, best_match

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_TYPES = ("application/json",)


class _Loader(yaml.SafeLoader):
    """YAML without its timestamp type: dates stay the strings JSON has."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def short(s, n=200):
    s = str(s)
    return s if len(s) <= n else s[: n - 3] + "..."


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.load(f, Loader=_Loader)
        if not isinstance(self.doc, dict):
            raise SystemExit(f"openapi: {path} is not a YAML mapping")
        self.resolver = RefResolver(base_uri="", referrer=self.doc)
        # (template, segments, path item, {METHOD: operation})
        self.paths = []
        for template, item in (self.doc.get("paths") or {}).items():
            item = self.deref(item)
            ops = {m.upper(): item[m] for m in METHODS if isinstance(item.get(m), dict)}
            self.paths.append((template, split(template), item, ops))

    def deref(self, obj):
        """An OpenAPI Reference Object followed to what it names."""
        seen = 0
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            obj = self.resolver.resolve(obj["$ref"])[1]
            seen += 1
            if seen > 20:
                raise RefResolutionError("$ref loop")
        return obj

    def validator(self, schema):
        return Draft202012Validator(schema, resolver=self.resolver)

    def schema_errors(self, schema, instance):
        """The validator's messages, each with where in the instance."""
        out = []
        errs = sorted(self.validator(schema).iter_errors(instance),
                      key=lambda e: [str(p) for p in e.absolute_path])
        for e in errs:
            msg = f"at {e.json_path}: {short(e.message)}"
            if e.context:
                msg += f" ({short(best_match(e.context).message)})"
            out.append(msg)
        return out

    def match(self, path):
        """The (template, path item, operations) a requested path names, or
        None. The service may be mounted below a prefix: the template
        matches the path's last segments; the longest template wins."""
        segs = split(path)
        best = None
        for template, tsegs, item, ops in self.paths:
            n = len(tsegs)
            if n == 0 or len(segs) < n:
                continue
            tail = segs[len(segs) - n:]
            ok = all((s != "" if is_param(t) else s == t) for t, s in zip(tsegs, tail))
            if not ok:
                continue
            rank = (n, sum(1 for t in tsegs if not is_param(t)))
            if best is None or rank > best[0]:
                best = (rank, template, item, ops)
        return None if best is None else best[1:]


def is_param(seg):
    return seg.startswith("{") and seg.endswith("}")


def split(path):
    """A path's segments, decoded, without query, fragment, scheme and host."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        path = urllib.parse.urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    segs = path.split("/")
    if segs and segs[0] == "":
        segs = segs[1:]
    return [urllib.parse.unquote(s) for s in segs]


def lookup_status(responses, status):
    keys = {str(k).upper(): k for k in responses}
    for key in (str(status), f"{status // 100}XX" if isinstance(status, int) else None, "DEFAULT"):
        if key in keys:
            return str(keys[key])
    return None


def media_type(ctype):
    return (ctype or "").split(";", 1)[0].strip().lower()


def strict_json(text):
    def pairs(kv):
        out = {}
        for k, v in kv:
            if k in out:
                raise ValueError(f"duplicate key {k!r}")
            out[k] = v
        return out

    def constant(c):
        raise ValueError(f"{c} is not JSON")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


# ------------------------------------------------------------ answers

def check_response(spec, resp, ans, where):
    """Problems of one answer against one Response Object."""
    resp = spec.deref(resp)
    problems = []
    body = ans.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        return [f"{where}: the line's body is not a string"]
    content = resp.get("content") or {}
    headers = ans.get("headers")
    if isinstance(headers, dict):
        got = {str(k).lower(): v for k, v in headers.items()}
        for name, h in (resp.get("headers") or {}).items():
            h = spec.deref(h)
            value = got.get(name.lower())
            if value in (None, ""):
                if h.get("required"):
                    problems.append(f"{where}: header {name} missing")
                continue
            if "schema" in h:
                for m in spec.schema_errors(h["schema"], value):
                    problems.append(f"{where}: header {name} {m}")
    if not content:
        if body != "":
            problems.append(f"{where}: no body is documented, got {len(body.encode())} bytes: {short(body, 80)!r}")
        return problems
    mt = media_type(ans.get("content_type"))
    media = None
    for name, m in content.items():
        if name.lower() == mt:
            media = m
    if media is None:
        problems.append(f"{where}: content type {ans.get('content_type')!r}, documented: {', '.join(content)}")
        return problems
    if mt not in JSON_TYPES and not mt.endswith("+json"):
        return problems
    try:
        inst = strict_json(body)
    except ValueError as e:
        problems.append(f"{where}: body is not JSON ({short(e, 100)}): {short(body, 80)!r}")
        return problems
    if "schema" in media:
        for m in spec.schema_errors(media["schema"], inst):
            problems.append(f"{where}: {m}")
    return problems


def query_problems(spec, item, op, path):
    """How the request's query breaks the operation's documented query
    parameters (their schemas: bounds, enums, patterns). Unknown names are
    not looked at."""
    query = urllib.parse.urlsplit(path).query if "://" in path else path.partition("?")[2]
    params = {}
    for p in list(item.get("parameters") or []) + list(op.get("parameters") or []):
        p = spec.deref(p)
        if p.get("in") == "query":
            params[p.get("name")] = p
    out = []
    for name, value in urllib.parse.parse_qsl(query.partition("#")[0], keep_blank_values=True):
        p = params.get(name)
        if p is None or "schema" not in p:
            continue
        schema = spec.deref(p["schema"])
        inst = value
        if schema.get("type") == "integer" and re.fullmatch(r"-?[0-9]+", value):
            inst = int(value)
        for m in spec.schema_errors(p["schema"], inst):
            out.append(f"{name}={value!r} {m.split(': ', 1)[-1]}")
    return out


def check_answer(spec, ans, n):
    if not isinstance(ans, dict):
        return [f"answer {n}: not a JSON object"]
    method = str(ans.get("method", "")).upper()
    path = str(ans.get("path", ""))
    status = ans.get("status")
    label = f" [{ans['case']}]" if ans.get("case") else ""
    where = f"answer {n}{label} {method} {path} -> {status}"
    if not isinstance(status, int) or isinstance(status, bool):
        return [f"{where}: status is not an integer"]
    m = spec.match(path)
    op = m[2].get(method) if m else None
    if op is None:
        what = f"no path {path.split('?')[0]}" if m is None else f"no {method} on {m[0]}"
        unmatched = spec.doc.get("x-unmatched") or {}
        if status not in (404, 405):
            return [f"{where}: the spec has {what}: the answer must be 404 or 405"]
        resp = unmatched.get(str(status)) or {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        return check_response(spec, resp, ans, where)
    responses = op.get("responses") or {}
    if 200 <= status < 300:
        bad = query_problems(spec, m[1], op, path)
        if bad:
            return [f"{where}: a success, yet the query breaks the spec: {b}" for b in bad]
    key = lookup_status(responses, status)
    if key is None:
        return [f"{where}: status {status} is not documented for {op.get('operationId', method)} "
                f"(documented: {', '.join(str(k) for k in responses)})"]
    return check_response(spec, responses[key], ans, f"{where} ({op.get('operationId', method)})")


def check_answers(spec, path):
    problems, n = [], 0
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if not line.strip():
                continue
            n += 1
            try:
                ans = json.loads(line)
            except ValueError as e:
                problems.append(f"answer {n}: the line is not JSON: {e}")
                continue
            problems.extend(check_answer(spec, ans, n))
    for p in problems:
        print(f"openapi: {p}")
    print(f"openapi: {n} answers checked, {len(problems)} problems")
    return 1 if problems else 0


# ------------------------------------------------------------ self-test

def report(problems, what):
    for p in problems:
        print(f"openapi: {p}")
    print(f"openapi: {what}, {len(problems)} problems")
    return 1 if problems else 0


def walk(obj, ptr=""):
    yield ptr, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, f"{ptr}/{str(k).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, f"{ptr}/{i}")


def self_test(spec):
    problems = []
    doc = spec.doc
    if not str(doc.get("openapi", "")).startswith("3.1."):
        problems.append(f"openapi is {doc.get('openapi')!r}, not 3.1.x")

    # Every $ref resolves.
    bad_refs = set()
    for ptr, node in walk(doc):
        if isinstance(node, dict) and "$ref" in node:
            try:
                spec.resolver.resolve(node["$ref"])
            except (RefResolutionError, Exception) as e:  # noqa: B014
                bad_refs.add(node["$ref"])
                problems.append(f"{ptr}: $ref {node['$ref']!r} does not resolve ({short(e, 100)})")
    if bad_refs:
        return report(problems, "self-test")

    # Every schema is JSON Schema 2020-12: the components' and those inline.
    schemas = [(f"/components/schemas/{name}", s)
               for name, s in ((doc.get("components") or {}).get("schemas") or {}).items()]
    schemas += [(f"{ptr}/schema", node["schema"]) for ptr, node in walk(doc.get("paths"), "/paths")
                if isinstance(node, dict) and isinstance(node.get("schema"), dict)]
    for ptr, s in schemas:
        try:
            Draft202012Validator.check_schema(s)
        except SchemaError as e:
            problems.append(f"{ptr}: not a valid schema: {short(e.message)} (at {e.json_path})")
    if problems:
        return report(problems, "self-test")

    # Every example validates against its schema (media types, parameters,
    # headers: whatever holds a schema beside example or examples).
    nexamples = 0
    for ptr, node in walk(doc):
        if not isinstance(node, dict) or "schema" not in node:
            continue
        if "example" in node:
            nexamples += 1
            for m in spec.schema_errors(node["schema"], node["example"]):
                problems.append(f"{ptr}/example: {m}")
        for name, ex in (node.get("examples") or {}).items():
            ex = spec.deref(ex)
            if not isinstance(ex, dict) or "value" not in ex:
                problems.append(f"{ptr}/examples/{name}: no value")
                continue
            nexamples += 1
            for m in spec.schema_errors(node["schema"], ex["value"]):
                problems.append(f"{ptr}/examples/{name}: {m}")

    error_schema = (doc.get("components") or {}).get("schemas", {}).get("ErrorBody")
    opids = {}
    nops = 0
    for template, tsegs, item, ops in spec.paths:
        path_params = {p.get("name") for p in map(spec.deref, item.get("parameters") or []) if p.get("in") == "path"}
        for method, op in ops.items():
            nops += 1
            where = f"{method} {template}"
            oid = op.get("operationId")
            if not oid:
                problems.append(f"{where}: no operationId")
            elif oid in opids:
                problems.append(f"{where}: operationId {oid} also names {opids[oid]}")
            else:
                opids[oid] = where
            declared = set(path_params) | {p.get("name") for p in map(spec.deref, op.get("parameters") or [])
                                           if p.get("in") == "path"}
            for t in tsegs:
                if is_param(t) and t[1:-1] not in declared:
                    problems.append(f"{where}: path parameter {t} not declared")
            if "requestBody" in op:
                rb = spec.deref(op["requestBody"])
                for mt, media in (rb.get("content") or {}).items():
                    if "example" not in media and not media.get("examples"):
                        problems.append(f"{where}: request body {mt} has no example")
            responses = op.get("responses") or {}
            ok = [k for k in responses if str(k).startswith("2")]
            if not ok:
                problems.append(f"{where}: no success response")
            for k, r in responses.items():
                k = str(k)
                r = spec.deref(r)
                content = r.get("content") or {}
                if k.startswith("2"):
                    for mt, media in content.items():
                        if "example" not in media and not media.get("examples"):
                            problems.append(f"{where}: response {k} {mt} has no example")
                if k == "204" and content:
                    problems.append(f"{where}: 204 has content")
                if k[0] in "45":
                    media = content.get("application/json")
                    if media is None or spec.deref(media.get("schema")) is not error_schema:
                        problems.append(f"{where}: response {k} is not the ErrorBody schema")
                need = {"401": "WWW-Authenticate", "405": "Allow"}.get(k)
                if need and need not in (r.get("headers") or {}):
                    problems.append(f"{where}: response {k} has no {need} header")
    for k, r in (doc.get("x-unmatched") or {}).items():
        r = spec.deref(r)
        need = {"401": "WWW-Authenticate", "405": "Allow"}.get(str(k))
        if need and need not in (r.get("headers") or {}):
            problems.append(f"x-unmatched: response {k} has no {need} header")

    for p in problems:
        print(f"openapi: {p}")
    print(f"openapi: self-test, {nops} operations, {nexamples} examples, {len(problems)} problems")
    return 1 if problems else 0


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    spec = Spec(argv[1])
    if argv[2] == "--self-test":
        return self_test(spec)
    return check_answers(spec, argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
