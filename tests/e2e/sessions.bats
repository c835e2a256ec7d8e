#!/usr/bin/env bats
# Creating a session (SPEC §4): what POST /sessions makes at Twilio and
# answers, through the web server, against the fake Twilio. Refusals are in
# validation.bats and auth.bats, the proxy numbers' choice in
# sessions_numbers.bats, Twilio failing in twilio_errors.bats and
# twilio_failures.bats.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234

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

@test "50 addresses make one session of 50 participants" {
	fifty=$(printf '"+1415555%d",' $(seq 1000 1049))
	post_session "{\"addresses\":[${fifty%,}]}"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.participants | length == 50'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 50'
}

@test "camelCase properties reach Twilio as its form parameters, objects serialised" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"friendlyName\":\"Ride & 42\",\"uniqueName\":\"ride-42\",
		\"attributes\":{\"ride\":42,\"tags\":[\"a\",\"b\"],\"note\":\"x/y\"},\"state\":\"inactive\",
		\"messagingServiceSid\":\"MG0123456789abcdef0123456789abcdef\",
		\"dateCreated\":\"2024-01-02T03:04:05Z\",\"dateUpdated\":\"2024-01-02T03:04:06Z\",
		\"timers\":{\"inactive\":\"PT1H\",\"closed\":\"P1D\"},
		\"bindings\":{\"email\":{\"address\":\"rider@example.com\",\"name\":\"Rider\"}}}"
	[ "$status_code" = 200 ]
	forms POST '^/v1/Conversations$' | jq -e '. == [{
		"FriendlyName": ["Ride & 42"], "UniqueName": ["ride-42"],
		"Attributes": ["{\"ride\":42,\"tags\":[\"a\",\"b\"],\"note\":\"x/y\"}"], "State": ["inactive"],
		"MessagingServiceSid": ["MG0123456789abcdef0123456789abcdef"],
		"DateCreated": ["2024-01-02T03:04:05Z"], "DateUpdated": ["2024-01-02T03:04:06Z"],
		"Timers.Inactive": ["PT1H"], "Timers.Closed": ["P1D"],
		"Bindings.Email.Address": ["rider@example.com"], "Bindings.Email.Name": ["Rider"]}]'
	# The answer: the conversation in camelCase (top-level keys, as the Node SDK does).
	echo "$body" | jq -e '(keys == ["accountSid","attributes","bindings","chatServiceSid","dateCreated",
		"dateUpdated","friendlyName","links","messagingServiceSid","participants","sid","state","timers",
		"uniqueName","url"]) and .friendlyName == "Ride & 42" and .uniqueName == "ride-42" and
		.state == "inactive" and .messagingServiceSid == "MG0123456789abcdef0123456789abcdef" and
		.dateCreated == "2024-01-02T03:04:05Z" and (.attributes | fromjson) == {ride: 42, tags: ["a","b"], note: "x/y"} and
		.bindings == {email: {address: "rider@example.com", name: "Rider"}} and
		(.timers | keys) == ["date_closed", "date_inactive"]'
}

# Timers without a State: State=active goes with them (Twilio's 50382 otherwise).
@test "flat keys timers.* and bindings.email.* and a string attributes map the same way" {
	post_session "{\"addresses\":[\"$A\"],\"timers.inactive\":\"PT2H\",\"timers.closed\":\"P2D\",
		\"bindings.email.address\":\"a@example.com\",\"bindings.email.name\":\"A\",
		\"attributes\":\"{\\\"kept\\\": \\\"as is\\\"}\"}"
	[ "$status_code" = 200 ]
	# No uniqueName given: the service makes one up (masked- and 32 hex).
	forms POST '^/v1/Conversations$' | jq -e '(.[0]["UniqueName"][0] | test("^masked-[0-9a-f]{32}$")) and
		(map(del(.UniqueName)) == [{"Timers.Inactive": ["PT2H"], "Timers.Closed": ["P2D"],
		"Bindings.Email.Address": ["a@example.com"], "Bindings.Email.Name": ["A"],
		"State": ["active"], "Attributes": ["{\"kept\": \"as is\"}"]}])'
	# Each participant: the address and the proxy number it was given.
	forms POST '/Participants$' | jq -e --arg a "$A" 'map({"MessagingBinding.Address", "MessagingBinding.ProxyAddress"})
		== [{"MessagingBinding.Address": [$a], "MessagingBinding.ProxyAddress": ["+14155550100"]}]'
}
