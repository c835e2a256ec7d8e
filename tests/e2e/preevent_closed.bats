#!/usr/bin/env bats
# POST /conversations-pre-event at its strictest (SPEC §11):
# MESSAGE_FILTER=block stops a text holding contact details instead of
# redacting it, and INTERCEPT_FAIL=closed stops a text the operator did not
# answer for in time, or answered wrongly.

load helpers

SECRET='whsec-closed-Vt7Rk2Pw9Qz4Mn8'
INTERCEPT_MS=800

setup_file() {
	operator_stack "$SECRET" "MESSAGE_FILTER=block" "INTERCEPT_FAIL=closed" \
		"CALLBACK_SECRET=$SECRET" "INTERCEPT_CALLBACK_URL={OP}/intercept" \
		"INTERCEPT_TIMEOUT_MS=$INTERCEPT_MS"
}
teardown_file() { operator_stack_stop; }

setup() { text_setup; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

intercepts() { op_requests | jq '[.[] | select(.path == "/intercept")] | length'; }

session() {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ] || { echo "create: $status_code $body"; return 1; }
}

@test "MESSAGE_FILTER=block: a phone number or an e-mail address stops the text, the operator is not asked" {
	session
	sms "$A" "$PA" "whatsapp me +44 7700 900123"
	dropped contact_details
	sms "$B" "$PB" "write to ana@example.com"
	dropped contact_details
	[ "$(intercepts)" = 0 ]
}

@test "MESSAGE_FILTER=block: a clean text goes on to the operator and through" {
	session
	op_answer /intercept 200 '{"action": "allow"}'
	sms "$A" "$PA" "The fare was \$23.50, thanks!"
	delivered "The fare was \$23.50, thanks!"
	[ "$(intercepts)" = 1 ]
}

@test "INTERCEPT_FAIL=closed: a slow operator's text is stopped, inside Twilio's 5 s" {
	session
	op_config '{"delay_ms": 2500}'
	sms "$A" "$PA" "hello"
	dropped operator_unavailable
	echo "$out" | jq -e ".pre.elapsed_ms < $INTERCEPT_MS + 1500" || { echo "$out"; false; }
}

@test "INTERCEPT_FAIL=closed: an operator failing, hanging up, lying or answering what is no answer stops the text" {
	session
	# Its default answer, {"received": true}, says neither allow nor block.
	sms "$A" "$PA" "zero"
	dropped operator_unavailable
	op_config '{"status": 500}'
	sms "$A" "$PA" "one"
	dropped operator_unavailable
	op_config '{"status": 200, "hangup": 1}'
	sms "$A" "$PA" "two"
	dropped operator_unavailable
	op_config '{"hangup": 0, "lie": true}'
	sms "$A" "$PA" "three"
	dropped operator_unavailable
}
