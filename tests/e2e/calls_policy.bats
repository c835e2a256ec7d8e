#!/usr/bin/env bats
# How calls are connected (SPEC §13): CALL_RECORD, CALL_TIME_LIMIT_S and
# CALL_RING_TIMEOUT_S in the caller's TwiML and in the conference legs'
# Calls.json, the session's own "call" over them (on create and update,
# kept in the conversation's attributes), and OUT_OF_SESSION_FORWARD_NUMBER
# for calls without a session, to a message-only one, to an expired one.
# Through the web server, against the fake Twilio.

load helpers

# The main line: not a pool number.
FWD=+13125550199

setup_file() {
	start_stack "CALL_RECORD=on" "CALL_TIME_LIMIT_S=1800" \
		"CALL_RING_TIMEOUT_S=25" "OUT_OF_SESSION_FORWARD_NUMBER=$FWD"
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234 PC=+16045550100

call() { webhook /inbound-call "$@"; }

# dial_with CALLER-ID NUMBER ATTRS: connecting, then <Dial> with ATTRS.
dial_with() {
	twiml "$(say "$CONNECTING")<Dial callerId=\"$1\"$3><Number>$2</Number></Dial>"
}
GLOBAL=' record="record-from-answer-dual" timeLimit="1800" timeout="25"'

# forwarded CALLED: out of session, then the main line with CALLED as caller ID.
forwarded() {
	twiml "$(say "$OUT_OF_SESSION")<Dial callerId=\"$1\"$GLOBAL><Number>$FWD</Number></Dial>"
}

# The one conversation's stored attributes, parsed.
stored_attributes() { fake_get state | jq -c '.conversations[0].attributes | fromjson'; }

# ------------------------------------------------------------ the globals

@test "one to one: the settings on <Dial> (record-from-answer-dual, timeLimit, timeout)" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial_with "$PB" "$B" "$GLOBAL")"
	fake_get state | jq -e '.calls == []'
}

@test "conference: the caller's <Dial timeLimit>, <Conference record>, and each leg's TimeLimit and Timeout" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" =~ \<Conference\ endConferenceOnExit=\"true\"\ record=\"record-from-start\"\>(\+14155551234_at_[0-9]+)\</Conference\> ]] || {
		echo "$body"; false; }
	name=${BASH_REMATCH[1]}
	expect_twiml "$(twiml "$(say "$CONNECTING")<Dial timeLimit=\"1800\"><Conference endConferenceOnExit=\"true\" record=\"record-from-start\">$name</Conference></Dial>")"
	# The legs as the fake recorded them (checked against Twilio's OpenAPI).
	fake_get state | jq -e --arg b "$B" --arg c "$C" '
		(.calls | length) == 2 and
		([.calls[].to] | sort) == ([$b, $c] | sort) and
		all(.calls[]; .params.TimeLimit == 1800 and .params.Timeout == 25 and
			(.params | has("Record") | not) and .twiml_error == null)'
	forms POST '/Calls.json$' | jq -e 'length == 2 and
		all(.[]; .TimeLimit == ["1800"] and .Timeout == ["25"])'
}

# ------------------------------------------------------------ per session

@test "create with call: shown, kept under maskedSession, and it wins over the settings" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"attributes\":{\"ride\":7},\"call\":{\"record\":false,\"timeLimit\":60,\"ringTimeout\":10}}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.call == {"record": false, "timeLimit": 60, "ringTimeout": 10} and
		.attributes == "{\"ride\":7}"'
	stored_attributes | jq -e '.ride == 7 and
		.maskedSession.call == {"record": false, "timeLimit": 60, "ringTimeout": 10}'
	sid=$(echo "$body" | jq -r .sid)
	api GET "/sessions/$sid"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.call == {"record": false, "timeLimit": 60, "ringTimeout": 10}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial_with "$PB" "$B" ' timeLimit="60" timeout="10"')"
}

@test "create with part of call: the rest from the settings" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"call\":{\"ringTimeout\":600}}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.call == {"ringTimeout": 600}'
	call From="$B" Called="$PB" To="$PB"
	expect_twiml "$(dial_with "$PA" "$A" ' record="record-from-answer-dual" timeLimit="1800" timeout="600"')"
}

@test "a conference of a session with call: its own time limit, ring timeout and no recording" {
	post_session "{\"addresses\":[\"$A\",\"$B\",\"$C\"],\"call\":{\"record\":false,\"timeLimit\":120,\"ringTimeout\":15}}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == *'<Dial timeLimit="120"><Conference endConferenceOnExit="true">'* ]] || { echo "$body"; false; }
	fake_get state | jq -e '(.calls | length) == 2 and
		all(.calls[]; .params.TimeLimit == 120 and .params.Timeout == 15)'
}

@test "update: call changed, one key cleared, then all cleared; the caller's attributes untouched" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"attributes\":{\"ride\":7},\"mode\":\"voice-only\"}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	sid=$(echo "$body" | jq -r .sid)
	echo "$body" | jq -e 'has("call") | not'
	api POST "/sessions/$sid" '{"call":{"record":false,"ringTimeout":40}}'
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.call == {"record": false, "ringTimeout": 40} and
		.mode == "voice-only" and .attributes == "{\"ride\":7}"'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial_with "$PB" "$B" ' timeLimit="1800" timeout="40"')"
	api POST "/sessions/$sid" '{"call":{"record":null,"timeLimit":300}}'
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.call == {"timeLimit": 300, "ringTimeout": 40}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial_with "$PB" "$B" ' record="record-from-answer-dual" timeLimit="300" timeout="40"')"
	api POST "/sessions/$sid" '{"call":null}'
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '(has("call") | not) and .mode == "voice-only"'
	stored_attributes | jq -e '.ride == 7 and .maskedSession == {"mode": "voice-only"}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial_with "$PB" "$B" "$GLOBAL")"
}

@test "bad call keys: 400 naming the field, nothing sent to Twilio" {
	CASE=limit post_session "{\"addresses\":[\"$A\"],\"call\":{\"timeLimit\":14401}}"
	CASE=limit expect_error 400 invalid_request call.timeLimit 14400
	CASE=ring post_session "{\"addresses\":[\"$A\"],\"call\":{\"ringTimeout\":4}}"
	CASE=ring expect_error 400 invalid_request call.ringTimeout 600
	CASE=record post_session "{\"addresses\":[\"$A\"],\"call\":{\"record\":\"yes\"}}"
	CASE=record expect_error 400 invalid_request call.record
	CASE=unknown post_session "{\"addresses\":[\"$A\"],\"call\":{\"recordingChannels\":\"dual\"}}"
	CASE=unknown expect_error 400 invalid_request call.recordingChannels
	CASE=type post_session "{\"addresses\":[\"$A\"],\"call\":60}"
	CASE=type expect_error 400 invalid_request call
	CASE=update api POST "/sessions/CH0123456789abcdef0123456789abcdef" '{"call":{"timeLimit":"60"}}'
	CASE=update expect_error 400 invalid_request call.timeLimit
	verify
	nothing_made
}

# ------------------------------------------------------------ out of session

@test "no session: the message, then the main line with the dialled pool number as caller ID" {
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(forwarded "$PA")"
	call From="$B" Called="$PB" To="$PB"
	expect_twiml "$(forwarded "$PB")"
	fake_get state | jq -e '.calls == []'
}

@test "the main line itself calling a pool number out of session: the message only" {
	call From="$FWD" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
}

@test "a message-only session's call is forwarded, with the settings, not the session's call" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"mode\":\"message-only\",\"call\":{\"timeLimit\":60}}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(forwarded "$PA")"
	fake_get state | jq -e '.calls == []'
}

@test "an expired session's call is forwarded" {
	fake_seed "{\"conversations\":[{\"state\":\"active\",
		\"attributes\":\"{\\\"maskedSession\\\":{\\\"dateExpiry\\\":\\\"2021-01-01T00:00:00Z\\\"}}\",
		\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(forwarded "$PA")"
	# A closed conversation is no session either.
	reset_fake
	seed closed "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(forwarded "$PA")"
}

@test "--check names a bad forward number and bad call settings" {
	run env ENV_FILE="$ENV_FILE" OUT_OF_SESSION_FORWARD_NUMBER=+14155550100 \
		CALL_TIME_LIMIT_S=0 CALL_RING_TIMEOUT_S=1000 CALL_RECORD=maybe \
		"$BUILD/inbound-call.fcgi" --check
	[ "$status" -ne 0 ]
	[[ "$output" == *"OUT_OF_SESSION_FORWARD_NUMBER: is one of the pool's proxy numbers"* ]]
	[[ "$output" == *"CALL_TIME_LIMIT_S: must be a whole number from 1 to 14400"* ]]
	[[ "$output" == *"CALL_RING_TIMEOUT_S: must be a whole number from 5 to 600"* ]]
	[[ "$output" == *"CALL_RECORD: must be on or off"* ]]
	run env ENV_FILE="$ENV_FILE" OUT_OF_SESSION_FORWARD_NUMBER=3125550199 \
		"$BUILD/inbound-call.fcgi" --check
	[ "$status" -ne 0 ]
	[[ "$output" == *"OUT_OF_SESSION_FORWARD_NUMBER: must be an E.164 number"* ]]
}
