#!/usr/bin/env bats
# POST /inbound-call (SPEC §5), through the web server, against the fake
# Twilio, with the default configuration (no voice, no language, default
# messages): who is dialled or called into a conference, who is out of
# session, and the apology when Twilio fails. Signatures: auth.bats; a
# configured voice and messages: inbound_config.bats.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

# People and the pool numbers (tests/lib/harness.bash) they talk through.
A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234 PC=+16045550100
D=+442079460000 PD=+442071838750

# call NAME=VALUE...: a correctly signed POST /inbound-call.
call() { webhook /inbound-call "$@"; }

# Requests the product made to the fake, as "METHOD path" lines.
requests() { fake_get requests | jq -r '.[] | "\(.method) \(.path)"'; }

# ---------------------------------------------------------------- routing

@test "1:1: the caller is dialled through to the other party, with the other party's proxy as callerId" {
	sid=$(seed active "$A/$PA" "$B/$PB")
	call From="$A" Called="$PA" To="$PA" CallSid=CA0123456789abcdef0123456789abcdef
	expect_twiml "$(dial "$PB" "$B")"
	# Exactly as SPEC §5 writes it.
	[ "$body" = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Please wait while we connect your call.</Say><Dial callerId="+12125550100"><Number>+12125551234</Number></Dial></Response>' ]
	# One look-up of the caller, one listing of the participants, no call placed.
	fake_get requests | jq -e --arg a "$A" --arg s "$sid" '
		[.[] | select(.method == "GET" and .path == "/v1/ParticipantConversations")] as $l |
		($l | length) == 1 and $l[0].query.Address == [$a] and
		([.[] | select(.path == "/v1/Conversations/\($s)/Participants")] | length) == 1 and
		([.[] | select(.method != "GET")] | length) == 0 and
		all(.[]; .auth_ok)'
	fake_get state | jq -e '.calls == []'
}

@test "1:1: the other direction dials the first party with the first party's proxy" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call From="$B" Called="$PB" To="$PB"
	expect_twiml "$(dial "$PA" "$A")"
}

@test "1:1: a session made through POST /sessions connects its two people" {
	post_session "{\"addresses\":[\"$C\",\"$D\"]}"
	[ "$status_code" = 200 ]
	pc=$(echo "$body" | jq -r --arg a "$C" '.participants[] | select(.address == $a) | .proxyAddress')
	pd=$(echo "$body" | jq -r --arg a "$D" '.participants[] | select(.address == $a) | .proxyAddress')
	[ "$pc" = "$PC" ]
	[ "$pd" = "$PD" ]
	call From="$D" Called="$pd" To="$pd"
	expect_twiml "$(dial "$pc" "$C")"
	call From="$C" Called="$pc" To="$pc"
	expect_twiml "$(dial "$pd" "$D")"
}

@test "1:1: an inactive (not closed) conversation still connects" {
	seed inactive "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
}

@test "the conversation is the one whose caller proxy equals Called, among several" {
	seed closed "$A/$PA" "$C/$PC" >/dev/null
	seed active "$A/$PB" "$D/$PD" >/dev/null
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	call From="$A" Called="$PB" To="$PB"
	expect_twiml "$(dial "$PD" "$D")"
}

@test "the caller's conversation is found on a later page of the look-up" {
	# 60 conversations through other numbers first: the right one is on page 2.
	convs=$(jq -nc --arg a "$A" --arg c "$C" '[range(60) | {participants: [
		{address: $a, proxy_address: "+1303555\(1000 + .)"}, {address: $c, proxy_address: "+16045550100"}]}]')
	fake_seed "{\"conversations\": $convs}" >/dev/null
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	fake_get requests | jq -e '[.[] | select(.path == "/v1/ParticipantConversations") | .query.PageSize] == [["50"], ["50"]]'
}

@test "only SMS participants are dialled: WhatsApp and chat participants are not" {
	# W talks over WhatsApp through the same pool number; U is a chat user.
	fake_seed "{\"conversations\":[{\"participants\":[
		{\"address\":\"$A\",\"proxy_address\":\"$PA\"}, {\"address\":\"$B\",\"proxy_address\":\"$PB\"},
		{\"address\":\"whatsapp:+447700900123\",\"proxy_address\":\"whatsapp:$PC\"},
		{\"identity\":\"agent-7\"}]}]}" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	fake_get state | jq -e '.calls == []'
}

@test "conference: 4 parties: every callee is called into one conference named {From}_at_{ms}" {
	sid=$(seed active "$A/$PA" "$B/$PB" "$C/$PC" "$D/$PD")
	before=$(date +%s%3N)
	call From="$A" Called="$PA" To="$PA"
	after=$(date +%s%3N)
	[ "$status_code" = 200 ]
	[ "$ctype" = text/xml ]
	re="^$(printf '%s' "$XML" | sed 's/[.?]/\\&/g')<Response><Say>$CONNECTING</Say><Dial><Conference endConferenceOnExit=\"true\">(\\+14155551234_at_([0-9]+))</Conference></Dial></Response>\$"
	[[ "$body" =~ $re ]] || { echo "body: $body"; false; }
	name=${BASH_REMATCH[1]}
	ms=${BASH_REMATCH[2]}
	[ "$ms" -ge "$before" ] && [ "$ms" -le "$after" ]
	want="$XML<Response><Dial><Conference>$name</Conference></Dial></Response>"
	run bash -c "curl -sf '$FAKE_URL/_fake/state' | jq -c '[.calls[] | {to, from, twiml: .params.Twiml, err: .twiml_error}] | sort_by(.to)'"
	[ "$status" = 0 ]
	expected=$(jq -nc --arg t "$want" --arg b "$B" --arg pb "$PB" --arg c "$C" \
		--arg pc "$PC" --arg d "$D" --arg pd "$PD" '[
		{to: $b, from: $pb, twiml: $t, err: null},
		{to: $c, from: $pc, twiml: $t, err: null},
		{to: $d, from: $pd, twiml: $t, err: null}] | sort_by(.to)')
	[ "$output" = "$expected" ] || { printf 'got:  %s\nwant: %s\n' "$output" "$expected"; false; }
	# Nobody calls the caller back, and the conversation is untouched.
	fake_get state | jq -e --arg a "$A" --arg s "$sid" '
		([.calls[] | select(.to == $a)] | length) == 0 and
		.conversations[0].sid == $s'
}

@test "conference: 3 parties: two calls, and the conference names the caller" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	call From="$C" Called="$PC" To="$PC"
	[ "$status_code" = 200 ]
	[[ "$body" == "$XML<Response><Say>$CONNECTING</Say><Dial><Conference endConferenceOnExit=\"true\">+16045551234_at_"*"</Conference></Dial></Response>" ]]
	name=${body#*\">}
	name=${name%%</Conference>*}
	fake_get state | jq -e --arg n "$name" --arg a "$A" --arg pa "$PA" --arg b "$B" --arg pb "$PB" '
		(.calls | length) == 2 and
		([.calls[] | {to, from}] | sort_by(.to)) == ([{to: $a, from: $pa}, {to: $b, from: $pb}] | sort_by(.to)) and
		all(.calls[]; .params.Twiml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial><Conference>\($n)</Conference></Dial></Response>")'
}

@test "conference: the outbound calls are placed concurrently" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" "$D/$PD" >/dev/null
	curl -sf -X POST -H 'Content-Type: application/json' --data '{"latency_ms": 300}' "$FAKE_URL/_fake/config" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == *"<Conference endConferenceOnExit=\"true\">"* ]]
	fake_get state | jq -e '(.calls | length) == 3'
	fake_get stats | jq -e '.in_flight_max == 3'
}

@test "conference: one callee's call failing still connects the caller to the others" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	fault "{\"method\":\"POST\",\"path\":\"/Calls\\\\.json\$\",\"match\":{\"To\":\"^\\\\$B\$\"},\"status\":400,\"code\":21211,\"times\":-1}"
	call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == *"<Conference endConferenceOnExit=\"true\">+14155551234_at_"* ]]
	fake_get state | jq -e --arg c "$C" '[.calls[].to] == [$c]'
}

# --------------------------------------------------------- out of session

@test "out of session: a caller in no conversation hears the out-of-session message" {
	seed active "$B/$PB" "$C/$PC" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	[ "$body" = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>This number is not connected to an active session. Goodbye.</Say></Response>' ]
	# Only the look-up: no participant listing, no call.
	[ "$(requests)" = "GET /v1/ParticipantConversations" ]
}

@test "out of session: calling a pool number that is not the caller's proxy" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	# PB is B's proxy, in A's own conversation; PC is in no conversation at all.
	call From="$A" Called="$PB" To="$PB"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	call From="$A" Called="$PC" To="$PC"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	fake_get state | jq -e '.calls == []'
}

@test "out of session: the conversation is closed" {
	seed closed "$A/$PA" "$B/$PB" >/dev/null
	seed closed "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	fake_get state | jq -e '.calls == []'
	[ "$(requests)" = "GET /v1/ParticipantConversations" ]
}

@test "out of session: the caller is alone in the conversation" {
	seed active "$A/$PA" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	fake_get state | jq -e '.calls == []'
}

@test "out of session: a webhook without From" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
}

@test "Called missing: To is the number dialled" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	seed active "$A/$PC" "$D/$PD" >/dev/null
	call From="$A" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	call From="$A" To="$PC"
	expect_twiml "$(dial "$PD" "$D")"
	# An empty Called is as good as none.
	call From="$A" Called= To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
}

@test "Called, when given, wins over To" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	seed active "$A/$PC" "$D/$PD" >/dev/null
	call From="$A" Called="$PC" To="$PA"
	expect_twiml "$(dial "$PD" "$D")"
}

# ------------------------------------------------------ Twilio failing

@test "apology: a persisting 500 on the conversation look-up (retried, then given up)" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	fault '{"method":"GET","path":"^/v1/ParticipantConversations$","status":500,"times":-1}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$APOLOGY")")"
	# GETs are retried on 5xx (SPEC §3): RETRY_MAX_ATTEMPTS defaults to 5 retries.
	n=$(fake_get requests | jq '[.[] | select(.path == "/v1/ParticipantConversations")] | length')
	[ "$n" -eq 6 ] || { echo "look-ups: $n"; false; }
}

@test "a single 500 on the look-up is retried and the call connects" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	fault '{"method":"GET","path":"^/v1/ParticipantConversations$","status":500}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	fake_get requests | jq -e '[.[] | select(.path == "/v1/ParticipantConversations") | .status] == [500, 200]'
}

@test "apology: the connection to Twilio is dropped on every look-up" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	fault '{"path":"^/v1/ParticipantConversations$","drop":true,"times":-1}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$APOLOGY")")"
}

@test "apology: a persisting 500 on the participant listing" {
	sid=$(seed active "$A/$PA" "$B/$PB")
	fault "{\"method\":\"GET\",\"path\":\"^/v1/Conversations/$sid/Participants\$\",\"status\":500,\"times\":-1}"
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$APOLOGY")")"
	fake_get state | jq -e '.calls == []'
}

@test "apology: a look-up answer that is not JSON" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	fault '{"path":"^/v1/ParticipantConversations$","body":"<html>oops</html>","times":-1}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$APOLOGY")")"
}

@test "apology: every conference call is refused" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	fault '{"method":"POST","path":"/Calls\\.json$","status":500,"times":-1}'
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$APOLOGY")")"
	# A create is never blindly repeated (SPEC §3): one attempt per callee.
	n=$(fake_get requests | jq '[.[] | select(.path | endswith("/Calls.json"))] | length')
	[ "$n" -eq 2 ]
}

@test "apology: every way Twilio fails (5xx, drop, hang, garbage, 429, oversize) still gets TwiML" {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	for f in '{"status":500,"times":-1}' '{"drop":true,"times":-1}' \
	    '{"hang":true,"times":-1}' '{"body":"garbage","times":-1}' \
	    '{"status":429,"times":-1}' '{"oversize":3000000,"times":-1}'; do
		curl -sf -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
		fault "$f"
		webhook /inbound-call From=+14155551234 Called=+14155550100
		[ "$status_code" = 200 ]
		[[ "$body" == '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, we cannot connect your call right now. Please try again later.</Say></Response>' ]] ||
			{ echo "$f -> $body" >&2; return 1; }
	done
}

# ------------------------------------------------------------ the path

@test "GET /inbound-call is 405" {
	run curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/inbound-call"
	[ "$output" = 405 ]
	run curl -s -D - -o /dev/null "$BASE_URL/inbound-call"
	[[ "$output" == *$'\r\nAllow: POST\r\n'* ]]
}

@test "an unknown path is 404" {
	for path in /inbound-call/extra /inbound-callx /no-such-thing; do
		run curl -s -o /dev/null -w '%{http_code}' -X POST --data "From=$A" "$BASE_URL$path"
		[ "$output" = 404 ] || { echo "$path: $output"; false; }
	done
}
