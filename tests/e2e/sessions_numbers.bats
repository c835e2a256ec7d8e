#!/usr/bin/env bats
# Choosing the proxy numbers (SPEC §4): the same area code first, a number
# Twilio refuses with 50416 skipped for the next, the pool exhausted for a
# person, and numbers freed when a session is deleted. Against the harness's
# pool of five numbers; sessions_concurrency.bats races for them.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234 C=+16045551234
POOL_NUMBERS='["+12125550100","+14155550100","+14155550101","+16045550100","+442071838750"]'

@test "pool exhausted: 500 'Not enough numbers available in pool for +E164' and no half-made conversation" {
	sids=()
	for i in 0 1 2 3 4; do
		post_session "{\"addresses\":[\"$A\",\"+1212555100$i\"]}"
		[ "$status_code" = 200 ] || { echo "session $i: $status_code $body"; return 1; }
		sids+=("$(echo "$body" | jq -r .sid)")
	done
	# A's five sessions use the whole pool, each number once.
	fake_get state | jq -e --arg a "$A" --argjson pool "$POOL_NUMBERS" '
		[.conversations[].participants[].messaging_binding | select(.address == $a) | .proxy_address] | sort == $pool'
	post_session "{\"addresses\":[\"$A\",\"+12125551005\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e --arg a "$A" '.message == "Not enough numbers available in pool for \($a)"'
	fake_get state | jq -e --argjson s "$(printf '%s\n' "${sids[@]}" | jq -R . | jq -s .)" \
		'[.conversations[].sid] == $s and all(.conversations[]; (.participants | length) == 2)'
	# B's partner got no binding left behind either.
	fake_get state | jq -e '[.conversations[].participants[].messaging_binding.address] | index("+12125551005") == null'
	verify
}

@test "every candidate refused with 50416: pool exhausted, conversation deleted" {
	fault '{"method":"POST","path":"/Participants$","match":{"MessagingBinding.Address":"^\\+14155551234$"},"status":409,"code":50416,"times":-1}'
	t0=$SECONDS
	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 15
	[ $((SECONDS - t0)) -lt 10 ]
	expect_error 500 pool_exhausted
	echo "$body" | jq -e --arg a "$A" '.message == "Not enough numbers available in pool for \($a)"'
	# Each of the five numbers was tried once, in rank order, same area code first.
	forms POST '/Participants$' | jq -e --arg a "$A" '[.[] | select(."MessagingBinding.Address" == [$a]) |
		."MessagingBinding.ProxyAddress"[0]] | .[0:2] == ["+14155550100", "+14155550101"] and length == 5 and (unique | length) == 5'
	# No other request carried that person: the five adds were all.
	fake_get requests | jq -e --arg a "$A" '[.[] | select(.form["MessagingBinding.Address"] == [$a])] | length == 5'
	[ "$(conversation_count)" = 0 ]
	verify
}

@test "50416 on the first candidate: the next number is used" {
	fault '{"method":"POST","path":"/Participants$","match":{"MessagingBinding.ProxyAddress":"^\\+14155550100$"},"status":409,"code":50416,"times":-1}'
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e --arg a "$A" '.participants[] | select(.address == $a) | .proxyAddress == "+14155550101"'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 2'
}

@test "a session created, closed and deleted frees its proxy numbers" {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	first=$(echo "$body" | jq -c '[.participants[].proxyAddress]')
	# A second session for the same two gets other numbers while the first is open.
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sid2=$(echo "$body" | jq -r .sid)
	[ "$(echo "$body" | jq -c '[.participants[].proxyAddress]')" != "$first" ]
	webhook /conversations-post-event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=active StateTo=closed
	[ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ] && [[ "$ctype" == text/plain* ]]
	[ "$(fake_get state | jq -r '[.conversations[].sid] | join(" ")')" = "$sid2" ]
	# The first numbers are free again.
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	[ "$(echo "$body" | jq -c '[.participants[].proxyAddress]')" = "$first" ]
}
