#!/usr/bin/env bats
# Twilio unreachable (connection refused): clear answers, quickly.
# e2e: once (Twilio failing is our HTTP client's affair, not the web server's)

load helpers

setup_file() {
	start_stack "TWILIO_CONVERSATIONS_URL=http://127.0.0.1:1" "TWILIO_API_URL=http://127.0.0.1:1"
}
teardown_file() { stop_stack; }
setup() { load_harness; }

@test "sessions: connection refused -> 502 twilio_unreachable within the deadline" {
	t0=$SECONDS
	post_session '{"addresses":["+14155551234"]}' -m 15
	[ "$status_code" = 502 ]
	echo "$body" | jq -e '.error == "twilio_unreachable" and (.message | test("Twilio could not be reached"))'
	[ $((SECONDS - t0)) -le 5 ]
}

@test "inbound: connection refused -> the apology, as TwiML" {
	webhook /inbound-call From=+14155551234 Called=+14155550100
	[ "$status_code" = 200 ]
	[[ "$body" == *"<Say>Sorry, we cannot connect your call right now. Please try again later.</Say>"* ]]
}

@test "post-event: connection refused -> 500 so that Twilio retries" {
	webhook /conversations-post-event EventType=onConversationStateUpdated StateTo=closed \
		ConversationSid=CH00000000000000000000000000000001
	[ "$status_code" = 500 ]
	[[ "$body" == "CH00000000000000000000000000000001 failed to delete: Twilio could not be reached"* ]]
}
