#!/usr/bin/env bats
# A session's participants (SPEC §9): listing them, adding people later
# (proxy numbers chosen as in §4, all or nothing, at most 50) and removing
# them, against the harness's pool of five numbers.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234 C=+16045551234 D=+14155552222 E=+12125553333
POOL_NUMBERS='["+12125550100","+14155550100","+14155550101","+16045550100","+442071838750"]'

# session JSON: a new session; sets $sid (and what post_session sets).
session() {
	post_session "$1"
	[ "$status_code" = 200 ] || { echo "session: $status_code $body" >&2; return 1; }
	sid=$(echo "$body" | jq -r .sid)
}

# The fake's participants of conversation $1 as a sorted JSON array of addresses.
fake_addresses() {
	fake_get state | jq -c --arg s "$1" '[.conversations[] | select(.sid == $s) |
		.participants[].messaging_binding.address] | sort'
}

# No request since the Nth of the log (0-based) added or changed anything at Twilio.
no_post_since() {
	fake_get requests | jq -e --argjson n "$1" '.[$n:] | all(.method != "POST" and .method != "DELETE")' >/dev/null || {
		fake_get requests | jq -c --argjson n "$1" '.[$n:]' >&2; return 1; }
}

log_length() { fake_get requests | jq length; }

@test "GET participants lists sid, address and proxyAddress; unknown session 404" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	created=$(echo "$body" | jq -c '.participants | sort_by(.sid)')
	api GET "/sessions/$sid/participants"
	[ "$status_code" = 200 ] && [ "$ctype" = application/json ]
	echo "$body" | jq -e --argjson c "$created" '(keys == ["participants"]) and (.participants | sort_by(.sid)) == $c'
	echo "$body" | jq -e '.participants | length == 2 and all(.[]; (keys == ["address","proxyAddress","sid"]) and (.sid | test("^MB[0-9a-f]{32}$")))'
	api GET "/sessions/CH00000000000000000000000000000000/participants"
	expect_error 404 session_not_found
	verify
}

@test "add one address: 201 with the new participant, a proxy number it does not use elsewhere, marked added" {
	# C already talks through +16045550100 (its own area code) in another open session.
	seed active "$C/+16045550100" >/dev/null
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	api POST "/sessions/$sid/participants" "{\"address\":\"$C\"}"
	[ "$status_code" = 201 ] || { echo "$body"; return 1; }
	echo "$body" | jq -e --arg c "$C" --argjson pool "$POOL_NUMBERS" '(keys == ["participants"]) and
		(.participants | length) == 1 and .participants[0].address == $c and
		(.participants[0].sid | test("^MB[0-9a-f]{32}$")) and
		.participants[0].proxyAddress != "+16045550100" and (.participants[0].proxyAddress | IN($pool[]))'
	mb=$(echo "$body" | jq -r '.participants[0].sid')
	fake_get state | jq -e --arg s "$sid" --arg mb "$mb" '.conversations[] | select(.sid == $s) |
		.participants[] | select(.sid == $mb) | .attributes | fromjson | .maskedSession == {added: true}'
	[ "$(fake_addresses "$sid")" = "$(jq -nc --arg a "$A" --arg b "$B" --arg c "$C" '[$a,$b,$c] | sort')" ]
	api GET "/sessions/$sid/participants"
	echo "$body" | jq -e '.participants | length == 3'
}

@test "add several: every look-up starts before any add; all come back" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	n=$(log_length)
	# Twilio's latency: a look-up that waited for another would start
	# after an add (at zero latency, one on a new connection can arrive
	# after another's add on a warm one).
	curl -sf -X POST -H 'Content-Type: application/json' --data '{"latency_ms":100}' \
		"$FAKE_URL/_fake/config" >/dev/null
	api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"$D\",\"$E\"]}"
	[ "$status_code" = 201 ] || { echo "$body"; return 1; }
	echo "$body" | jq -e --arg c "$C" --arg d "$D" --arg e "$E" '[.participants[].address] | sort == ([$c,$d,$e] | sort)'
	fake_get requests | jq -e --argjson n "$n" '.[$n:] as $r |
		[$r[] | select(.path == "/v1/ParticipantConversations") | .t] as $looks |
		[$r[] | select(.method == "POST" and (.path | test("/Participants$"))) | .t] as $adds |
		($looks | length) >= 3 and ($adds | length) == 3 and ($looks | max) < ($adds | min)'
	fake_get state | jq -e --arg s "$sid" '.conversations[] | select(.sid == $s) | .participants | length == 5'
}

@test "add: 50416 on the first candidate moves on to the next" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	fault "{\"method\":\"POST\",\"path\":\"/Participants\$\",\"match\":{\"MessagingBinding.Address\":\"^\\\\+16045551234\$\"},\"status\":409,\"code\":50416,\"times\":1}"
	api POST "/sessions/$sid/participants" "{\"address\":\"$C\"}"
	[ "$status_code" = 201 ] || { echo "$body"; return 1; }
	tried=$(forms POST '/Participants$' | jq -c --arg c "$C" '[.[] | select(."MessagingBinding.Address" == [$c]) | ."MessagingBinding.ProxyAddress"[0]]')
	echo "$tried" | jq -e 'length == 2 and .[0] == "+16045550100" and .[1] != .[0]'
	echo "$body" | jq -e --argjson t "$tried" '.participants[0].proxyAddress == $t[1]'
}

@test "add by the session's uniqueName" {
	session "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"ride-p1\"}"
	api POST "/sessions/ride-p1/participants" "{\"address\":\"$C\"}"
	[ "$status_code" = 201 ]
	[ "$(fake_addresses "$sid" | jq length)" = 3 ]
}

@test "add: already a participant -> 409, nothing added" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	n=$(log_length)
	api POST "/sessions/$sid/participants" "{\"address\":\"$A\"}"
	expect_error 409 already_participant
	echo "$body" | jq -e --arg a "$A" '.address == $a or (.message | contains($a))'
	api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"$B\"]}"
	expect_error 409 already_participant
	verify
	no_post_since "$n"
	[ "$(fake_addresses "$sid" | jq length)" = 2 ]
}

@test "add: more than 50 in all -> 409 session_full, nothing added; 48 fit" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	n=$(log_length)
	many=$(printf '"+1415555%d",' $(seq 1000 1048))
	api POST "/sessions/$sid/participants" "{\"addresses\":[${many%,}]}"
	expect_error 409 session_full
	verify
	no_post_since "$n"
	[ "$(fake_addresses "$sid" | jq length)" = 2 ]
	many=$(printf '"+1415555%d",' $(seq 1000 1047))
	api POST "/sessions/$sid/participants" "{\"addresses\":[${many%,}]}" -m 60
	[ "$status_code" = 201 ] || { echo "$body"; return 1; }
	[ "$(fake_addresses "$sid" | jq length)" = 50 ]
	api POST "/sessions/$sid/participants" "{\"address\":\"$C\"}"
	expect_error 409 session_full
	verify
}

@test "add: bad bodies -> 400 naming the field, nothing sent" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	n=$(log_length)
	CASE=both; api POST "/sessions/$sid/participants" "{\"address\":\"$C\",\"addresses\":[\"$D\"]}"
	echo "both: $status_code $body"
	[ "$status_code" = 400 ] && echo "$body" | jq -e '.error == "invalid_request" and (.field | IN("address","addresses"))'
	CASE=none; api POST "/sessions/$sid/participants" '{}'
	[ "$status_code" = 400 ]
	CASE=bad-address; api POST "/sessions/$sid/participants" '{"address":"+0123"}'
	expect_error 400 invalid_request address
	CASE=bad-address-digits; api POST "/sessions/$sid/participants" '{"address":"14155551234"}'
	expect_error 400 invalid_request address
	CASE=bad-addresses; api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"+1\"]}"
	expect_error 400 invalid_request addresses
	CASE=pool-number; api POST "/sessions/$sid/participants" '{"address":"+14155550100"}'
	expect_error 400 invalid_request address
	CASE=pool-numbers; api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"+442071838750\"]}"
	expect_error 400 invalid_request addresses
	CASE=unknown-key; api POST "/sessions/$sid/participants" "{\"address\":\"$C\",\"role\":\"x\"}"
	expect_error 400 invalid_request role
	CASE=wrong-type; api POST "/sessions/$sid/participants" '{"addresses":"+16045551234"}'
	expect_error 400 invalid_request addresses
	verify
	no_post_since "$n"
	[ "$(fake_addresses "$sid" | jq length)" = 2 ]
}

@test "all or nothing: the 2nd add fails with 500 -> 502, the others removed again" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	before=$(fake_addresses "$sid")
	n=$(log_length)
	fault "{\"method\":\"POST\",\"path\":\"/Participants\$\",\"match\":{\"MessagingBinding.Address\":\"^\\\\+14155552222\$\"},\"status\":500,\"message\":\"boom\"}"
	api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"$D\",\"$E\"]}" -m 20
	expect_error 502 twilio_error
	verify
	[ "$(fake_addresses "$sid")" = "$before" ] || { fake_get state; return 1; }
	# D was tried once (a POST is not retried); the ones that went in were each deleted.
	fake_get requests | jq -e --argjson n "$n" '.[$n:] as $r |
		([$r[] | select(.method == "POST" and (.path | test("/Participants$")) and .form["MessagingBinding.Address"] == ["+14155552222"])] | length) == 1 and
		([$r[] | select(.method == "POST" and (.path | test("/Participants$")) and .status == 201)] | length) as $ok |
		([$r[] | select(.method == "DELETE" and (.path | test("/Participants/MB")) and .status == 204)] | length) == $ok'
}

@test "all or nothing: no free number for one of them -> 500 pool_exhausted, the others removed" {
	# D already uses every pool number, each in an open session of its own.
	for p in $(echo "$POOL_NUMBERS" | jq -r '.[]'); do seed active "$D/$p" >/dev/null; done
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	before=$(fake_addresses "$sid")
	n=$(log_length)
	api POST "/sessions/$sid/participants" "{\"addresses\":[\"$C\",\"$D\",\"$E\"]}" -m 20
	expect_error 500 pool_exhausted - "$D"
	verify
	[ "$(fake_addresses "$sid")" = "$before" ] || { fake_get state; return 1; }
	fake_get requests | jq -e --argjson n "$n" '.[$n:] as $r |
		([$r[] | select(.method == "POST" and (.path | test("/Participants$")) and .status == 201)] | length) as $ok |
		([$r[] | select(.method == "DELETE" and (.path | test("/Participants/MB")) and .status == 204)] | length) == $ok'
}

@test "5 concurrent adds to one session all succeed" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	for i in 0 1 2 3 4; do
		curl -s -o "$BATS_TEST_TMPDIR/out$i" -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
			-H 'Content-Type: application/json' --data "{\"address\":\"+1604555200$i\"}" \
			"$BASE_URL/sessions/$sid/participants" >"$BATS_TEST_TMPDIR/code$i" &
	done
	wait
	for i in 0 1 2 3 4; do
		[ "$(cat "$BATS_TEST_TMPDIR/code$i")" = 201 ] || { cat "$BATS_TEST_TMPDIR/out$i"; return 1; }
	done
	api GET "/sessions/$sid/participants"
	echo "$body" | jq -e '[.participants[].address] | sort == (["+14155551234","+12125551234"] +
		[range(5) | "+1604555200\(.)"] | sort)'
	[ "$(fake_addresses "$sid" | jq length)" = 7 ]
}

@test "the same address added to 3 sessions at once gets 3 distinct proxy numbers" {
	sids=()
	for i in 0 1 2; do session "{\"addresses\":[\"+1212555100$i\"]}"; sids+=("$sid"); done
	for i in 0 1 2; do
		curl -s -o "$BATS_TEST_TMPDIR/out$i" -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
			-H 'Content-Type: application/json' --data "{\"address\":\"$C\"}" \
			"$BASE_URL/sessions/${sids[$i]}/participants" >"$BATS_TEST_TMPDIR/code$i" &
	done
	wait
	for i in 0 1 2; do
		[ "$(cat "$BATS_TEST_TMPDIR/code$i")" = 201 ] || { cat "$BATS_TEST_TMPDIR/out$i"; return 1; }
	done
	cat "$BATS_TEST_TMPDIR"/out? | jq -s -e '[.[].participants[0].proxyAddress] | unique | length == 3'
	fake_get state | jq -e --arg c "$C" '[.conversations[].participants[].messaging_binding |
		select(.address == $c) | .proxy_address] | unique | length == 3'
}

@test "DELETE a participant by SID and by E.164: 204, gone; again 404" {
	session "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	mb=$(echo "$body" | jq -r --arg a "$A" '.participants[] | select(.address == $a) | .sid')
	api DELETE "/sessions/$sid/participants/$mb"
	[ "$status_code" = 204 ] && [ -z "$body" ]
	[ "$(fake_addresses "$sid")" = "$(jq -nc --arg b "$B" --arg c "$C" '[$b,$c] | sort')" ]
	api DELETE "/sessions/$sid/participants/$mb"
	expect_error 404 participant_not_found
	api DELETE "/sessions/$sid/participants/%2B12125551234"
	[ "$status_code" = 204 ]
	[ "$(fake_addresses "$sid")" = "$(jq -nc --arg c "$C" '[$c]')" ]
	api DELETE "/sessions/$sid/participants/%2B12125551234"
	expect_error 404 participant_not_found
	CASE=neither; api DELETE "/sessions/$sid/participants/nobody"
	[ "$status_code" = 404 ] && [ "$ctype" = application/json ]
	CASE=unknown-session; api DELETE "/sessions/CH00000000000000000000000000000000/participants/%2B16045551234"
	expect_error 404 session_not_found
	verify
	[ "$(fake_addresses "$sid")" = "$(jq -nc --arg c "$C" '[$c]')" ]
}

@test "removing a creation participant marks the conversation changed first; the caller's attributes unchanged" {
	session "{\"addresses\":[\"$A\",\"$B\"],\"attributes\":{\"ride\":42}}"
	attrs=$(echo "$body" | jq -r .attributes)
	n=$(log_length)
	api DELETE "/sessions/$sid/participants/%2B12125551234"
	[ "$status_code" = 204 ]
	fake_get state | jq -e --arg s "$sid" '.conversations[] | select(.sid == $s) | .attributes | fromjson |
		.ride == 42 and .maskedSession.changed == true'
	# The conversation's update came before the participant's DELETE.
	fake_get requests | jq -e --argjson n "$n" --arg s "$sid" '.[$n:] as $r |
		([$r | to_entries[] | select(.value.method == "POST" and .value.path == "/v1/Conversations/\($s)") | .key] | first) as $upd |
		([$r | to_entries[] | select(.value.method == "DELETE") | .key] | first) as $del |
		$upd != null and $del != null and $upd < $del'
	api GET "/sessions/$sid"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e --arg a "$attrs" '.attributes == $a and (.attributes | fromjson) == {ride: 42}'
}
