#!/usr/bin/env bats
# Twilio failing under POST /sessions in every way the network and Twilio can
# fail, mid-answer, hanging, cut or oversized: each ends in a clear answer
# within the request's deadline (REQUEST_TIMEOUT_MS=4000 here), and no
# conversation is left behind for a session reported as failed. Twilio's
# error answers under every server: twilio_errors.bats; the apology for
# inbound calls: inbound.bats.
# e2e: once (Twilio failing is our HTTP client's affair, not the web server's)

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

S='{"addresses":["+14155551234","+12125551234"]}'

# session_fails STATUS ERROR: one session, answered STATUS with ERROR in
# under 9 s (deadline plus the clean-up's grace), leaving nothing behind.
session_fails() {
	local t0=$SECONDS
	post_session "$S" -m 15
	if [ "$status_code" != "$1" ] || [ "$(echo "$body" | jq -r .error)" != "$2" ]; then
		echo "expected $1 $2, got $status_code $body" >&2
		return 1
	fi
	[ $((SECONDS - t0)) -lt 10 ]
	[ "$(conversation_count)" = 0 ] || { fake_get state >&2; return 1; }
}

session_ok() {
	post_session "$S" -m 15
	[ "$status_code" = 200 ] || { echo "$status_code $body" >&2; return 1; }
	[ "$(conversation_count)" = 1 ]
}

@test "create: connection dropped before an answer -> 502, nothing left" {
	fault '{"method":"POST","path":"^/v1/Conversations$","drop":true}'
	session_fails 502 twilio_unreachable
}

@test "create: Twilio made it, then the connection dropped -> 502, deleted by unique name" {
	fault '{"method":"POST","path":"^/v1/Conversations$","drop":true,"commit":true}'
	session_fails 502 twilio_unreachable
	deleted_once
}

@test "create: reset mid-answer after Twilio made it -> 502, deleted" {
	fault '{"method":"POST","path":"^/v1/Conversations$","reset_mid":true,"commit":true}'
	session_fails 502 twilio_unreachable
}

@test "create: 500 before the change -> 502 carrying Twilio's status" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":500,"message":"boom"}'
	session_fails 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 500 and .message == "boom"'
}

@test "create: 503 after the change -> 502, the made conversation deleted" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":503,"commit":true}'
	session_fails 502 twilio_error
}

@test "create: an answer that never ends -> 504 at the deadline, nothing left" {
	fault '{"method":"POST","path":"^/v1/Conversations$","hang":true,"commit":true}'
	session_fails 504 timeout
}

@test "create: a 201 whose body is truncated or not JSON -> 502, deleted" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":201,"body":"{\"sid\": \"CH12","commit":true}'
	session_fails 502 twilio_unreachable
	fault '{"method":"POST","path":"^/v1/Conversations$","status":201,"body":"<html>oops</html>","commit":true}'
	session_fails 502 twilio_unreachable
}

@test "look-up: an oversized answer -> 502, nothing left" {
	fault '{"method":"GET","path":"ParticipantConversations","oversize":3000000,"times":-1}'
	session_fails 502 twilio_unreachable
	echo "$body" | jq -e '.message | test("over [0-9]+ bytes")'
}

@test "look-up: a list whose pages never end stops at the call's byte budget; the worker stays small" {
	local pid hwm max=0
	# 900 KB pages, each pointing at the next: without a budget over all
	# pages, 200 of them (180 MB of JSON) were kept in memory.
	"$PY" -c 'import json, sys
item = {"conversation_sid": "CH" + "0" * 32, "conversation_state": "active",
        "participant_messaging_binding": {"type": "sms", "address": "+14155551234",
        "proxy_address": "+19995550100"}, "friendly_name": "x" * 800}
n = 900000 // len(json.dumps(item))
page = {"conversations": [item] * n, "meta": {"next_page_url":
    sys.argv[1] + "/v1/ParticipantConversations?Address=x&Page=1"}}
print(json.dumps({"faults": [{"method": "GET", "path": "ParticipantConversations",
    "body": json.dumps(page), "times": -1}]}))' "$FAKE_URL" >"$BATS_TEST_TMPDIR/fault.json"
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/fault.json" "$FAKE_URL/_fake/faults" >/dev/null
	session_fails 502 twilio_unreachable
	echo "$body" | jq -e '.message | test("answers to one request are over 2097152 bytes")'
	# Two look-ups of at most three pages each (2 MiB / 900 KB).
	fake_get requests | jq -e '[.[] | select(.path == "/v1/ParticipantConversations")] | length <= 6'
	for pid in $(program_pids sessions); do
		hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
		[ "$hwm" -gt "$max" ] && max=$hwm
	done
	echo "largest sessions worker peak: $max kB" >&2
	# The budget's 2 MiB, parsed, and the worker itself: well under 64 MiB.
	[ "$max" -gt 0 ] && [ "$max" -lt 65536 ]
}

@test "look-up: transient 5xx, drops and garbage are retried, then succeed" {
	fault '{"method":"GET","path":"ParticipantConversations","status":500,"times":1},
	       {"method":"GET","path":"ParticipantConversations","drop":true,"times":1},
	       {"method":"GET","path":"ParticipantConversations","body":"not json","times":1}'
	session_ok
	fake_get requests | jq -e '[.[] | select(.path == "/v1/ParticipantConversations")] | length == 5'
}

@test "look-up: failing for good -> 502 within the deadline, nothing left" {
	fault '{"method":"GET","path":"ParticipantConversations","status":500,"times":-1}'
	session_fails 502 twilio_error
}

@test "add: 500 after Twilio added the participant -> 502, conversation deleted" {
	fault '{"method":"POST","path":"/Participants$","status":500,"commit":true}'
	session_fails 502 twilio_error
	fake_get requests | jq -e '[.[] | select(.method == "DELETE" and .status == 204)] | length == 1'
}

@test "delete fails during clean-up: retried until it goes through" {
	fault '{"method":"POST","path":"/Participants$","status":400,"code":21211,"message":"bad","times":-1},
	       {"method":"DELETE","status":503,"times":2}'
	session_fails 400 twilio_rejected
	fake_get requests | jq -e '[.[] | select(.method == "DELETE")] | length == 3'
}

@test "delete failing for good during clean-up: the answer names the conversation left" {
	fault '{"method":"POST","path":"/Participants$","status":400,"code":21211,"message":"bad","times":-1},
	       {"method":"DELETE","status":503,"times":-1}'
	post_session "$S" -m 20
	[ "$status_code" = 400 ]
	echo "$body" | jq -e '.error == "twilio_rejected" and .cleanedUp == false'
	sid=$(echo "$body" | jq -r .conversationSid)
	fake_get state | jq -e --arg s "$sid" '[.conversations[].sid] == [$s]'
}

@test "429 for good -> 502 with twilioStatus 429 within the deadline, nothing left" {
	fault '{"status":429,"times":-1,"retry_after":1}'
	session_fails 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 429'
}
