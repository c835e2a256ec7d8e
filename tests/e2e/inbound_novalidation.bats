#!/usr/bin/env bats
# TWILIO_WEBHOOK_VALIDATION=off (SPEC §8): unsigned webhooks are accepted,
# and a warning was logged at start. A stack of its own.

load helpers

setup_file() { start_stack "TWILIO_WEBHOOK_VALIDATION=off"; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

@test "validation off: an unsigned call is routed" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGNATURE=- webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$body" = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Please wait while we connect your call.</Say><Dial callerId="+12125550100"><Number>+12125551234</Number></Dial></Response>' ]
	[ "$ctype" = text/xml ]
	[ "$status_code" = 200 ]
	# A signature that is plain wrong makes no difference either.
	SIGNATURE=AAAAAAAAAAAAAAAAAAAAAAAAAAA= webhook /inbound-call From="$A" Called="$PA"
	[[ "$body" == *'<Dial callerId="+12125550100"><Number>+12125551234</Number></Dial></Response>' ]]
	[ "$status_code" = 200 ]
}

@test "validation off: an unsigned post-event is processed" {
	sid=$(fake_seed '{"conversations":[{"state":"closed"}]}' | jq -r '.sids[0]')
	SIGNATURE=- webhook /conversations-post-event EventType=onConversationStateUpdated \
		ConversationSid="$sid" StateFrom=active StateTo=closed
	[ "$body" = "$sid deleted" ]
	[ "$status_code" = 200 ]
	[ "$(conversation_count)" = 0 ]
}

@test "validation off: a warning was logged at start" {
	grep -q 'TWILIO_WEBHOOK_VALIDATION=off' "$WORK/error.log"
}

@test "validation off does not open /sessions: basic auth is still required" {
	req -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
	[ "$status_code" = 401 ]
	[ "$(conversation_count)" = 0 ]
}
