#!/usr/bin/env bats
# POST /sessions under concurrency (SPEC §3, §4): sessions sharing one
# address, created several at a time, race for the same proxy number; the
# losers get Twilio's 50416 and move on to their next candidate. A stack of
# its own: a pool of 20 numbers, 5 FastCGI processes.

load helpers

X=+14155551234

setup_file() {
	POOL20=$(jq -nc '[range(20) | "+1415555\(2000 + .)"]')
	export POOL20
	# The env file takes the last NUMBER_POOL line.
	PROCS=5 start_stack "NUMBER_POOL=$POOL20"
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

@test "15 sessions sharing one address, 5 at a time: all made, each with its own proxy for it" {
	# Latency widens the race: lookups all see the same free numbers.
	curl -sf -X POST -H 'Content-Type: application/json' --data '{"latency_ms": 150}' \
		"$FAKE_URL/_fake/config" >/dev/null
	dir=$BATS_TEST_TMPDIR
	for wave in 0 1 2; do
		for j in 0 1 2 3 4; do
			i=$((wave * 5 + j))
			curl -s -o "$dir/out.$i" -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
				-H 'Content-Type: application/json' \
				--data-binary "{\"addresses\":[\"$X\",\"+1212555$((1000 + i))\"]}" \
				"$BASE_URL/sessions" >"$dir/code.$i" &
		done
		wait
	done
	for i in $(seq 0 14); do
		[ "$(<"$dir/code.$i")" = 200 ] || { echo "session $i: $(<"$dir/code.$i") $(<"$dir/out.$i")"; return 1; }
	done
	# X's fifteen proxy numbers: distinct, all from the pool.
	proxies=$(for i in $(seq 0 14); do cat "$dir/out.$i"; echo; done |
		jq -s -c --arg x "$X" '[.[].participants[] | select(.address == $x) | .proxyAddress]')
	echo "$proxies" | jq -e --argjson pool "$POOL20" 'length == 15 and (unique | length) == 15 and
		all(.[]; . as $p | $pool | index($p) != null)'
	# And Twilio holds exactly those fifteen sessions, nothing half made.
	fake_get state | jq -e --argjson p "$proxies" --arg x "$X" '(.conversations | length) == 15 and
		all(.conversations[]; (.participants | length) == 2) and
		([.conversations[].participants[].messaging_binding | select(.address == $x) | .proxy_address] | sort) == ($p | sort)'
	# The race did happen: some adds were refused with 409 (50416) and retried.
	fake_get requests | jq -e '[.[] | select(.method == "POST" and (.path | endswith("/Participants")) and .status == 409)] | length >= 1'
	fake_get requests | jq -e '[.[] | select(.method == "DELETE")] | length == 0'
}

@test "the 21st session for one address in a pool of 20 is refused, and leaves nothing" {
	for i in $(seq 0 19); do
		post_session "{\"addresses\":[\"$X\",\"+1212555$((2000 + i))\"]}"
		[ "$status_code" = 200 ] || { echo "session $i: $status_code $body"; return 1; }
	done
	post_session "{\"addresses\":[\"$X\",\"+12125553000\"]}"
	[ "$status_code" = 500 ]
	echo "$body" | jq -e --arg x "$X" '.error == "pool_exhausted" and
		.message == "Not enough numbers available in pool for \($x)"'
	fake_get state | jq -e --argjson pool "$POOL20" --arg x "$X" '(.conversations | length) == 20 and
		([.conversations[].participants[].messaging_binding | select(.address == $x) | .proxy_address] | sort) == ($pool | sort)'
}
