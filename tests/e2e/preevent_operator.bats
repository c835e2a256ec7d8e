#!/usr/bin/env bats
# POST /conversations-pre-event with the operator in the loop (SPEC §11,
# §12): the intercept callback (INTERCEPT_CALLBACK_URL) asked with each
# text, signed, and obeyed (allow, block, replace); a slow, failing or lying
# operator meets INTERCEPT_FAIL=open (the default) inside Twilio's 5
# seconds; blocked and redacted texts told to the operator as events. A
# mark of its own (MESSAGE_FILTER_MARK). The operator is
# tests/operator/operator.py, which checks every signature with the
# README's recipe.

load helpers

SECRET='whsec-pre-Qm4t8Wc2Jx6Hn1Ls'
MARK='«number hidden»'
INTERCEPT_MS=1000

setup_file() {
	operator_stack "$SECRET" "CALLBACK_URL={OP}/events" "CALLBACK_SECRET=$SECRET" \
		"INTERCEPT_CALLBACK_URL={OP}/intercept" \
		"INTERCEPT_TIMEOUT_MS=$INTERCEPT_MS" "MESSAGE_FILTER_MARK=$MARK"
}
teardown_file() { operator_stack_stop; }

setup() { text_setup; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

# The intercept requests the operator got, parsed, as a JSON array.
intercepts() { op_requests | jq -c '[.[] | select(.path == "/intercept") | .body | fromjson]'; }
# The events of TYPE the operator got (they come after the answer: waits).
events_of() {
	local i got
	for i in $(seq 50); do
		got=$(op_requests | jq -c --arg t "$1" '[.[] | select(.path == "/events") | .body | fromjson | select(.type == $t)]')
		[ "$got" != "[]" ] && break
		sleep 0.1
	done
	echo "$got"
}

session() {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ] || { echo "create: $status_code $body"; return 1; }
	sid=$(echo "$body" | jq -r .sid)
}

@test "the operator is asked with the text as JSON, signed; an empty 200 lets it through" {
	session
	op_answer /intercept 200 '""'
	sms "$A" "$PA" "running 5 min late"
	delivered "running 5 min late"
	intercepts | jq -e --arg s "$sid" --arg a "$A" 'length == 1 and
		.[0].type == "message.intercept" and .[0].sessionSid == $s and
		.[0].message.author == $a and .[0].message.body == "running 5 min late" and
		.[0].message.source == "SMS" and (.[0].message.participantSid | startswith("MB")) and
		.[0].message.redactions == 0'
	# Every request the operator got carried a good signature (the recipe).
	op_requests | jq -e 'length >= 1 and all(.[]; .verdict == "good")'
}

@test "the operator sees the redacted text (with the original) and the mark of MESSAGE_FILTER_MARK" {
	session
	op_answer /intercept 200 '{"action": "allow"}'
	sms "$A" "$PA" "my number is 415 555 0199"
	delivered "my number is $MARK"
	intercepts | jq -e --arg m "my number is $MARK" '.[0].message.body == $m and
		.[0].message.originalBody == "my number is 415 555 0199" and
		.[0].message.redactions == 1'
	# And is told of it afterwards.
	ev=$(events_of message.redacted)
	echo "$ev" | jq -e --arg s "$sid" --arg m "my number is $MARK" 'length == 1 and
		.[0].sessionSid == $s and .[0].data.reason == "contact_details" and
		.[0].data.body == "my number is 415 555 0199" and
		.[0].data.deliveredBody == $m and .[0].data.redactions == 1'
}

@test "the operator blocks: nobody gets the text, and a message.blocked event says why" {
	session
	op_answer /intercept 200 '{"action": "block"}'
	sms "$A" "$PA" "meet me outside the app"
	dropped operator
	ev=$(events_of message.blocked)
	echo "$ev" | jq -e --arg s "$sid" 'length == 1 and .[0].sessionSid == $s and
		.[0].data.reason == "operator" and .[0].data.body == "meet me outside the app"'
}

@test "the operator replaces the text" {
	session
	op_answer /intercept 200 '{"action": "replace", "body": "[message removed by support]"}'
	sms "$A" "$PA" "some rude words"
	delivered "[message removed by support]"
}

@test "Twilio hanging on the session's read: the operator still has its say, inside 5 s" {
	session
	op_answer /intercept 200 '{"action": "replace", "body": "checked by support"}'
	fault '{"method": "GET", "path": "^/v1/Conversations/CH", "hang": true, "times": -1}'
	sms "$A" "$PA" "call 415 555 0199"
	# The read gave up after PREEVENT_SESSION_MS (1.5 s), and the operator
	# got the text the filter left.
	delivered "checked by support"
	intercepts | jq -e --arg m "call $MARK" '.[0].message.body == $m'
	echo "$out" | jq -e ".pre.elapsed_ms < 1500 + $INTERCEPT_MS" || { echo "$out"; false; }
	echo "$out" | jq -e ".pre.elapsed_ms >= 1400" || { echo "$out"; false; }
	grep -q "pre-event: cannot read session $sid" "$WORK/error.log"
}

@test "a slow operator: past INTERCEPT_TIMEOUT_MS the text goes through (open), well inside 5 s, logged" {
	session
	op_answer /intercept 200 '{"action": "block"}'
	op_config '{"delay_ms": 3000}'
	sms "$A" "$PA" "are you close?"
	delivered "are you close?"
	# Twilio had its answer in the operator's share and our round trip.
	echo "$out" | jq -e ".pre.elapsed_ms < $INTERCEPT_MS + 1500" || { echo "$out"; false; }
	grep -q "intercept callback failed" "$WORK/error.log"
}

@test "a failing operator (500), one that hangs up, one that lies: open lets the text through" {
	session
	op_config '{"status": 500}'
	sms "$A" "$PA" "first"
	delivered "first"
	op_config '{"status": 200, "hangup": 1}'
	sms "$A" "$PA" "second"
	delivered "second"
	op_config '{"hangup": 0, "lie": true}'
	sms "$A" "$PA" "third"
	delivered "third"
	# The filter still had its say before the operator failed.
	op_config '{"status": 503, "lie": false}'
	sms "$A" "$PA" "call 212 555 0142"
	delivered "call $MARK"
}

@test "a replacement the operator got wrong (empty, too long, not a string) is a failure: open" {
	session
	op_answer /intercept 200 '{"action": "replace", "body": ""}'
	sms "$A" "$PA" "one"
	delivered "one"
	long=$(printf 'x%.0s' $(seq 1601))
	op_answer /intercept 200 "{\"action\": \"replace\", \"body\": \"$long\"}"
	sms "$A" "$PA" "two"
	delivered "two"
	op_answer /intercept 200 '{"action": "replace", "body": 42}'
	sms "$A" "$PA" "three"
	delivered "three"
}

@test "a voice-only session blocks before the operator is asked" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"mode\":\"voice-only\"}"
	[ "$status_code" = 200 ]
	sms "$A" "$PA" "hello"
	dropped voice_only
	[ "$(intercepts)" = "[]" ]
}

@test "the secret never reaches the log" {
	session
	op_config '{"status": 500}'
	sms "$A" "$PA" "hello"
	! grep -rqF "$SECRET" "$WORK"/*.log
}
