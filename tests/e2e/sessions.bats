#!/usr/bin/env bats
# POST /sessions (SPEC §4), through lighttpd, against the fake Twilio.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

@test "a 2-party session gets a conversation and a proxy number each" {
	post_session '{"addresses":["+14155551234","+12125551234"],"friendlyName":"Ride 42"}'
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.sid | test("^CH[0-9a-f]{32}$")'
	echo "$body" | jq -e '.friendlyName == "Ride 42"'
	echo "$body" | jq -e '.accountSid and .chatServiceSid and .dateCreated and .links'
	echo "$body" | jq -e '.participants | length == 2'
	# Same area code first: the SF caller gets a 415 number, NYC a 212 one.
	echo "$body" | jq -e '.participants[0] == {sid: .participants[0].sid, address: "+14155551234", proxyAddress: "+14155550100"}'
	echo "$body" | jq -e '.participants[1].proxyAddress == "+12125550100"'
	[ "$(conversation_count)" = 1 ]
	fake_get state | jq -e '.conversations[0].participants | length == 2'
}
