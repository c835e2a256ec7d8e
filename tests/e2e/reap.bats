#!/usr/bin/env bats
# Crash recovery: a worker killed (-9) between creating a conversation and
# adding its last participant leaves it half-made; --reap deletes it, and
# leaves whole sessions alone.
# e2e: once (Twilio failing is our HTTP client's affair, not the web server's)

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

reap() {
	ENV_FILE="$ENV_FILE" "$BUILD/sessions.fcgi" --reap --reap-min-age 0 "$@"
}

@test "participants carry the session's size in their attributes" {
	post_session '{"addresses":["+14155551234","+12125551234"]}'
	[ "$status_code" = 200 ]
	fake_get state | jq -e '[.conversations[0].participants[].attributes | fromjson | .maskedSession.parties] == [2,2]'
}

@test "a session whose worker was killed mid-way is reaped; whole ones are not" {
	post_session '{"addresses":["+14155551234","+12125551234"]}'
	[ "$status_code" = 200 ]
	whole=$(echo "$body" | jq -r .sid)

	# The second participant's add hangs; the worker is then killed.
	fault '{"method":"POST","path":"/Participants$","match":{"MessagingBinding.Address":"^\\+12125550000$"},"hang":true,"times":-1}'
	curl -s -m 20 -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' \
		-d '{"addresses":["+14155550000","+12125550000"]}' "$BASE_URL/sessions" >/dev/null &
	curl_pid=$!
	for i in $(seq 100); do
		[ "$(fake_get state | jq '[.conversations[] | select(.participants | length == 1)] | length')" = 1 ] && break
		sleep 0.05
	done
	# Every sessions.fcgi process, under whichever server (tests/lib/servers.bash),
	# declared to the crash detector (tests/lib/harness.bash): these deaths
	# are the test's, not a crash.
	kill_program_on_purpose -9 sessions
	kill "$curl_pid" 2>/dev/null || true
	curl -sf -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	[ "$(conversation_count)" = 2 ]

	run reap
	[ "$status" = 0 ]
	[[ "$output" == *"2 conversations examined, 1 half-made, 0 expired, 1 deleted, 0 failed"* ]]
	[ "$(conversation_count)" = 1 ]
	fake_get state | jq -e --arg s "$whole" '.conversations[0].sid == $s'
	# The number the half-made session held is free again for that person.
	post_session '{"addresses":["+14155550000"]}'
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.participants[0].proxyAddress == "+14155550100"'
}

@test "a conversation this service named but never filled is reaped; others are not" {
	fake_seed '{"conversations":[{"unique_name":"masked-0123456789abcdef0123456789abcdef"},{"unique_name":"someone-elses"},{}]}'
	run reap
	[ "$status" = 0 ]
	[[ "$output" == *"3 conversations examined, 1 half-made, 0 expired, 1 deleted, 0 failed"* ]]
	fake_get state | jq -e '[.conversations[].unique_name] | sort == [null, "someone-elses"]'
}

@test "the reaper leaves recent conversations to the requests still making them" {
	fake_seed '{"conversations":[{"participants":[{"address":"+14155550001","proxy_address":"+14155550100"}]}]}'
	run reap --reap-min-age 600
	[ "$status" = 0 ]
	[[ "$output" == *"0 conversations examined"* ]]
}
