#!/usr/bin/env bats
# pre-event.fcgi's configuration (SPEC §2, §11): MESSAGE_FILTER=off lets
# contact details through; each bad setting is named by --check and at
# start-up, and a program that is not configured stops texts (503) rather
# than letting them through unchecked. Each test starts its own servers.
# e2e: once (starts the servers itself)

load helpers

setup() { own_servers_setup; }
teardown() { own_servers_teardown; }

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

@test "MESSAGE_FILTER=off: a phone number goes through as it is" {
	write_env MESSAGE_FILTER=off
	start_server "${SERVER:-lighttpd}"
	fake_webhooks
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sms "$A" "$PA" "call me on 415 555 0199"
	delivered "call me on 415 555 0199"
}

@test "--check names each bad interception setting" {
	local setting
	for setting in MESSAGE_FILTER=scrub "MESSAGE_FILTER_MARK=[call 911]" \
	    "MESSAGE_FILTER_MARK=a@b" INTERCEPT_FAIL=maybe INTERCEPT_TIMEOUT_MS=4500 \
	    INTERCEPT_TIMEOUT_MS=50 INTERCEPT_CALLBACK_URL=ftp://operator.example.com/x; do
		write_env "$setting" CALLBACK_SECRET=0123456789abcdef0123
		run env ENV_FILE="$ENV_FILE" "$BUILD/pre-event.fcgi" --check
		[ "$status" != 0 ] || { echo "$setting passed --check"; false; }
		[[ "$output" == *"${setting%%=*}"* ]] || { echo "$setting: $output"; false; }
	done
	# An intercept callback without the secret to sign it with.
	write_env INTERCEPT_CALLBACK_URL=https://operator.example.com/intercept
	run env ENV_FILE="$ENV_FILE" "$BUILD/pre-event.fcgi" --check
	[ "$status" != 0 ]
	[[ "$output" == *CALLBACK_SECRET* ]]
	# And a good one passes.
	write_env MESSAGE_FILTER=block MESSAGE_FILTER_MARK='(hidden)' INTERCEPT_FAIL=closed \
		INTERCEPT_TIMEOUT_MS=2500 CALLBACK_SECRET=0123456789abcdef0123 \
		INTERCEPT_CALLBACK_URL=https://operator.example.com/intercept
	run env ENV_FILE="$ENV_FILE" "$BUILD/pre-event.fcgi" --check
	[ "$status" = 0 ] || { echo "$output"; false; }
}

@test "not configured: 503, so that Twilio stops the text instead of passing it unchecked" {
	write_env MESSAGE_FILTER=scrub
	start_server "${SERVER:-lighttpd}"
	fake_webhooks
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sms "$A" "$PA" "call me on 415 555 0199"
	echo "$out" | jq -e '.added == null and .pre.status == 503'
	grep -q "MESSAGE_FILTER" "$WORK/error.log"
}
