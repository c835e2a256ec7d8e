#!/usr/bin/env bats
# POST /inbound-call out of session with OUT_OF_SESSION_CALLBACK_URL (SPEC
# §13): the operator's backend (tests/operator/operator.py, which checks
# every signature with the README's recipe) chooses the TwiML; when it
# fails, is slow or answers what is not TwiML, the out-of-session message
# and the forward number answer. A call in session never asks it.

load helpers

SECRET='whsec-oos-Rq5Wn8Tz2Kc7Lp4'
FORWARD=+14155550199
BUDGET_MS=800

setup_file() {
	operator_stack "$SECRET" "CALLBACK_SECRET=$SECRET" \
		"OUT_OF_SESSION_CALLBACK_URL={OP}/oos" "CALLBACK_TIMEOUT_MS=$BUDGET_MS" \
		"OUT_OF_SESSION_FORWARD_NUMBER=$FORWARD"
}
teardown_file() { operator_stack_stop; }
setup() { load_harness; reset_fake; curl -sf -X POST "$OP_URL/_op/reset" >/dev/null; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

MENU='<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1"><Say>Press 1 for support.</Say></Gather></Response>'
# The answer without the operator: the message, then the main line.
FALLBACK="$XML<Response><Say>$OUT_OF_SESSION</Say><Dial callerId=\"$PA\"><Number>$FORWARD</Number></Dial></Response>"

oos_requests() { op_requests | jq -c '[.[] | select(.path == "/oos")]'; }

@test "out of session: the operator is asked, signed, and its TwiML is the answer" {
	op_answer /oos 200 "$(jq -n --arg d "$MENU" '$d')"
	webhook /inbound-call From="$A" Called="$PA" To="$PA" CallSid=CA0123456789abcdef0123456789abcdef
	expect_twiml "$MENU"
	oos_requests | jq -e --arg a "$A" --arg p "$PA" 'length == 1 and .[0].verdict == "good" and
		(.[0].body | fromjson) == {"type": "call.out_of_session",
		"callSid": "CA0123456789abcdef0123456789abcdef", "caller": $a, "called": $p}'
}

@test "a failing, slow or lying operator: the message and the forward number answer, logged" {
	op_answer /oos 500 '"<Response/>"'
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$FALLBACK"
	op_answer /oos 200 '"<html>Bad gateway</html>"'
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$FALLBACK"
	op_answer /oos 200 '"<Response><Say>cut sh"'
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$FALLBACK"
	op_answer /oos 200 "$(jq -n --arg d "$MENU" '$d')"
	op_config '{"delay_ms": 3000}'
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$FALLBACK"
	[ "$ms" -lt $((BUDGET_MS + 1500)) ] || { echo "answered in $ms ms"; false; }
	grep -q "the operator's TwiML callback failed" "$WORK/error.log"
}

@test "a call in session is connected without asking the operator" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	op_answer /oos 200 "$(jq -n --arg d "$MENU" '$d')"
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	[ "$(oos_requests)" = "[]" ]
}

@test "a message-only session's call is out of session: the operator chooses" {
	fake_seed "{\"conversations\":[{\"state\":\"active\",
		\"attributes\":\"{\\\"maskedSession\\\":{\\\"mode\\\":\\\"message-only\\\"}}\",
		\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},
		{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	op_answer /oos 200 "$(jq -n --arg d "$MENU" '$d')"
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$MENU"
}
