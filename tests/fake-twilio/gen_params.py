#!/usr/bin/env python3
"""Extract the parameter tables the fake Twilio needs from Twilio's OpenAPI files.

    python3 tests/fake-twilio/gen_params.py OAI_DIR [OUTPUT]

OAI_DIR holds twilio_conversations_v1.json and twilio_api_v2010.json (Twilio's
own OpenAPI descriptions, Apache-2.0).  OUTPUT defaults to oai_params.json next
to this script.  The fake server reads only OUTPUT, never the OpenAPI files, so
run this again (and commit the result) whenever the OpenAPI files change.

For each operation the fake serves, the output records every parameter the
request may carry (query string, form body, path, header) with the constraints
the description gives: required, type, format, enum, pattern, minLength,
maxLength, minimum, maximum, and the item type of arrays.  $refs are resolved.
"""

import json
import os
import sys

# (file, path template, method) of every operation the fake implements.
OPERATIONS = [
    ("twilio_conversations_v1.json", "/v1/Conversations", "post"),
    ("twilio_conversations_v1.json", "/v1/Conversations", "get"),
    ("twilio_conversations_v1.json", "/v1/Conversations/{Sid}", "get"),
    ("twilio_conversations_v1.json", "/v1/Conversations/{Sid}", "post"),
    ("twilio_conversations_v1.json", "/v1/Conversations/{Sid}", "delete"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Participants", "post"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Participants", "get"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Participants/{Sid}", "get"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Participants/{Sid}", "post"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Participants/{Sid}", "delete"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Messages", "post"),
    ("twilio_conversations_v1.json",
     "/v1/Conversations/{ConversationSid}/Messages", "get"),
    ("twilio_conversations_v1.json", "/v1/ParticipantConversations", "get"),
    ("twilio_api_v2010.json", "/2010-04-01/Accounts/{AccountSid}/Calls.json",
     "post"),
    ("twilio_api_v2010.json",
     "/2010-04-01/Accounts/{AccountSid}/Messages.json", "post"),
]

# Schema keywords worth carrying over; descriptions and examples are dropped.
KEEP = ("type", "format", "enum", "pattern", "minLength", "maxLength",
        "minimum", "maximum")

BODY_TYPE = "application/x-www-form-urlencoded"


def resolve(doc, schema):
    """Follow $ref chains inside one OpenAPI document."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError("external $ref not supported: %s" % ref)
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
        seen += 1
        if seen > 20:
            raise ValueError("$ref loop at %s" % ref)
    return schema


def constraints(doc, schema):
    """The validation-relevant part of a parameter schema."""
    schema = resolve(doc, schema or {})
    out = {k: schema[k] for k in KEEP if k in schema}
    if schema.get("type") == "array":
        items = resolve(doc, schema.get("items") or {})
        out["items"] = {k: items[k] for k in KEEP if k in items}
    return out


def operation(doc, path, method):
    """One entry of the output table."""
    item = doc["paths"][path]
    op = item[method]
    servers = op.get("servers") or item.get("servers") or doc.get("servers")
    params = {}
    for prm in item.get("parameters", []) + op.get("parameters", []):
        prm = resolve(doc, prm)
        entry = {"in": prm["in"], "required": bool(prm.get("required"))}
        entry.update(constraints(doc, prm.get("schema")))
        params[prm["name"]] = entry
    body = (op.get("requestBody") or {}).get("content", {}).get(BODY_TYPE)
    if body:
        schema = resolve(doc, body["schema"])
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            entry = {"in": "body", "required": name in required}
            entry.update(constraints(doc, sub))
            params[name] = entry
    return {
        "operation_id": op["operationId"],
        "method": method.upper(),
        "path": path,
        "server": servers[0]["url"] if servers else None,
        "params": params,
    }


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    oai_dir = argv[1]
    out_path = argv[2] if len(argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "oai_params.json")
    docs = {}
    result = {"generated_by": "tests/fake-twilio/gen_params.py",
              "sources": {}, "operations": {}}
    for fname, path, method in OPERATIONS:
        if fname not in docs:
            with open(os.path.join(oai_dir, fname), encoding="utf-8") as f:
                docs[fname] = json.load(f)
            info = docs[fname].get("info", {})
            result["sources"][fname] = info.get("version")
        op = operation(docs[fname], path, method)
        result["operations"][op["operation_id"]] = op
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, out_path)
    print("wrote %d operations to %s" % (len(result["operations"]), out_path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
