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

# The reap summary line's counts, from "reap: N conversations examined, ...".
reap_counts() { [[ "$output" == *"$1"* ]] || { echo "want: $1"; echo "got: $output"; return 1; }; }

@test "a session whose creation participant was removed on purpose is not reaped" {
	post_session '{"addresses":["+14155551234","+12125551234"]}'
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	api DELETE "/sessions/$sid/participants/+12125551234"
	[ "$status_code" = 204 ] || { echo "$body"; false; }
	# One participant left, still marked as one of a batch of two.
	fake_get state | jq -e '.conversations[0].participants | length == 1'
	run reap
	[ "$status" = 0 ]
	reap_counts "0 half-made, 0 expired, 0 deleted, 0 failed"
	fake_get state | jq -e --arg s "$sid" '[.conversations[].sid] == [$s]'
	api GET "/sessions/$sid"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '[.participants[].address] == ["+14155551234"]'
}

@test "a session removed from by its participant's SID is not reaped either" {
	post_session '{"addresses":["+14155551234","+12125551234","+16045551234"]}'
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	mb=$(echo "$body" | jq -r '.participants[0].sid')
	api DELETE "/sessions/$sid/participants/$mb"
	[ "$status_code" = 204 ] || { echo "$body"; false; }
	run reap
	[ "$status" = 0 ]
	reap_counts "0 half-made, 0 expired, 0 deleted, 0 failed"
	[ "$(conversation_count)" = 1 ]
}

@test "a session that grew (a participant added later) is not reaped" {
	post_session '{"addresses":["+14155551234"]}'
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	api POST "/sessions/$sid/participants" '{"address":"+12125551234"}'
	[ "$status_code" = 201 ] || { echo "$body"; false; }
	api POST "/sessions/$sid/participants" '{"addresses":["+16045551234","+442079460000"]}'
	[ "$status_code" = 201 ] || { echo "$body"; false; }
	fake_get state | jq -e '.conversations[0].participants | length == 4'
	# The marks the reaper trusts: the newcomers say they were added (not
	# a creation batch of their own, which would make it look half-made).
	fake_get state | jq -e '.conversations[0] |
		[.participants[].attributes | fromjson | .maskedSession] ==
		 [{"parties":1}, {"added":true}, {"added":true}, {"added":true}]'
	run reap
	[ "$status" = 0 ]
	reap_counts "1 conversations examined, 0 half-made, 0 expired, 0 deleted, 0 failed"
	# Then the first one leaves: whole still, on purpose.
	api DELETE "/sessions/$sid/participants/+14155551234"
	[ "$status_code" = 204 ] || { echo "$body"; false; }
	fake_get state | jq -e '.conversations[0].attributes | fromjson | .maskedSession.changed == true'
	run reap
	[ "$status" = 0 ]
	reap_counts "0 half-made, 0 expired, 0 deleted, 0 failed"
	fake_get state | jq -e --arg s "$sid" '[.conversations[].sid] == [$s] and
		(.conversations[0].participants | length == 3)'
}

@test "a session past its dateExpiry is deleted by --reap; one not yet expired is kept" {
	post_session '{"addresses":["+14155551234","+12125551234"],"expiresIn":2}'
	[ "$status_code" = 200 ]
	soon=$(echo "$body" | jq -r .sid)
	post_session '{"addresses":["+16045551234","+442079460000"],"expiresIn":86400}'
	[ "$status_code" = 200 ]
	later=$(echo "$body" | jq -r .sid)
	post_session '{"addresses":["+14155550001"]}'
	[ "$status_code" = 200 ]
	never=$(echo "$body" | jq -r .sid)
	# Not yet: nothing expired.
	run reap
	[ "$status" = 0 ]
	reap_counts "0 half-made, 0 expired, 0 deleted, 0 failed"
	[ "$(conversation_count)" = 3 ]
	sleep 3
	run reap
	[ "$status" = 0 ]
	reap_counts "3 conversations examined, 0 half-made, 1 expired, 1 deleted, 0 failed"
	fake_get state | jq -e --arg a "$later" --arg b "$never" '[.conversations[].sid] | sort == ([$a, $b] | sort)'
	api GET "/sessions/$soon"
	[ "$status_code" = 404 ]
}

@test "an inactive session past a stored dateExpiry is deleted; a closed one is left alone" {
	fake_seed '{"conversations":[
		{"state":"inactive","attributes":"{\"maskedSession\":{\"dateExpiry\":\"2021-01-01T00:00:00Z\"}}",
		 "participants":[{"address":"+14155550001","proxy_address":"+14155550100"}]},
		{"state":"closed","attributes":"{\"maskedSession\":{\"dateExpiry\":\"2021-01-01T00:00:00Z\"}}"},
		{"state":"active","attributes":"{\"maskedSession\":{\"dateExpiry\":\"2099-01-01T00:00:00Z\"}}",
		 "participants":[{"address":"+14155550002","proxy_address":"+14155550100"}]}]}' >/dev/null
	run reap
	[ "$status" = 0 ]
	reap_counts "1 expired, 1 deleted, 0 failed"
	fake_get state | jq -e '[.conversations[].state] | sort == ["active", "closed"]'
}
