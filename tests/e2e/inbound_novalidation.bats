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
	fake_seed "{\"conversations\":[{\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	out=$(curl -s -w '\n%{content_type}\n%{http_code}' --data-urlencode "From=$A" \
		--data-urlencode "Called=$PA" --data-urlencode "To=$PA" "$BASE_URL/inbound-call")
	[ "$out" = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Please wait while we connect your call.</Say><Dial callerId="+12125550100"><Number>+12125551234</Number></Dial></Response>
text/xml
200' ]
	# A signature that is plain wrong makes no difference either.
	out=$(curl -s -w '\n%{http_code}' -H 'X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=' \
		--data-urlencode "From=$A" --data-urlencode "Called=$PA" "$BASE_URL/inbound-call")
	[[ "$out" == *'<Dial callerId="+12125550100"><Number>+12125551234</Number></Dial></Response>
200' ]]
}

@test "validation off: an unsigned post-event is processed" {
	sid=$(fake_seed '{"conversations":[{"state":"closed"}]}' | jq -r '.sids[0]')
	out=$(curl -s -w '\n%{http_code}' --data "EventType=onConversationStateUpdated&ConversationSid=$sid&StateFrom=active&StateTo=closed" \
		"$BASE_URL/conversations-post-event")
	[ "$out" = "$sid deleted
200" ]
	[ "$(conversation_count)" = 0 ]
}

@test "validation off: a warning was logged at start" {
	grep -q 'TWILIO_WEBHOOK_VALIDATION=off' "$WORK/error.log"
}

@test "validation off does not open /sessions: basic auth is still required" {
	out=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
		--data "{\"addresses\":[\"$A\"]}" "$BASE_URL/sessions")
	[ "${out##*$'\n'}" = 401 ]
	[ "$(conversation_count)" = 0 ]
}
