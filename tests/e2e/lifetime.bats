#!/usr/bin/env bats
# Session lifetime and modes (SPEC §10): ttl as Twilio's closed timer,
# dateExpiry/expiresIn and mode kept in the conversation's attributes under
# "maskedSession" (never shown to the caller), and what they do to calls.
# Through the web server, against the fake Twilio.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

# People and the pool numbers (tests/lib/harness.bash) they talk through.
A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100

# call NAME=VALUE...: a correctly signed POST /inbound-call.
call() { webhook /inbound-call "$@"; }

# The one conversation the fake holds: its stored attributes, parsed.
stored_attributes() { fake_get state | jq -c '.conversations[0].attributes | fromjson'; }

# No request the product made was refused by Twilio (50382 above all).
twilio_never_refused() {
	fake_get requests | jq -e 'all(.[]; .status < 400)' >/dev/null || {
		fake_get requests >&2; return 1; }
}

# ------------------------------------------------------------------ ttl

@test "ttl 3600: sent as Timers.Closed=PT3600S with State=active, and answered" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"ttl\":3600}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.ttl == 3600 and (.ttl | type) == "number"'
	forms POST '^/v1/Conversations$' | jq -e 'length == 1 and
		.[0]["Timers.Closed"] == ["PT3600S"] and .[0].State == ["active"] and
		(.[0] | has("Timers.Inactive") | not)'
	# Kept with the session, and shown again when fetched.
	stored_attributes | jq -e '.maskedSession.ttl == 3600'
	sid=$(echo "$body" | jq -r .sid)
	api GET "/sessions/$sid"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.ttl == 3600 and .attributes == "{}"'
	twilio_never_refused
}

@test "ttl below 600, ttl with timers, a ttl that is not an integer: 400 naming ttl, nothing sent" {
	CASE=599 post_session "{\"addresses\":[\"$A\"],\"ttl\":599}"
	CASE=599 expect_error 400 invalid_request ttl 600
	CASE=1 post_session "{\"addresses\":[\"$A\"],\"ttl\":1}"
	CASE=1 expect_error 400 invalid_request ttl 600
	CASE=negative post_session "{\"addresses\":[\"$A\"],\"ttl\":-3600}"
	CASE=negative expect_error 400 invalid_request ttl
	CASE=timers post_session "{\"addresses\":[\"$A\"],\"ttl\":3600,\"timers\":{\"inactive\":\"PT1H\"}}"
	CASE=timers expect_error 400 invalid_request ttl timers
	CASE=flat-timers post_session "{\"addresses\":[\"$A\"],\"timers.closed\":\"P1D\",\"ttl\":3600}"
	CASE=flat-timers expect_error 400 invalid_request ttl timers
	CASE=string post_session "{\"addresses\":[\"$A\"],\"ttl\":\"3600\"}"
	CASE=string expect_error 400 invalid_request ttl
	CASE=fraction post_session "{\"addresses\":[\"$A\"],\"ttl\":3600.5}"
	CASE=fraction expect_error 400 invalid_request ttl
	verify
	nothing_made
}

@test "ttl 0 on create is no ttl: no timers, no ttl in the answer" {
	post_session "{\"addresses\":[\"$A\"],\"ttl\":0}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e 'has("ttl") | not'
	forms POST '^/v1/Conversations$' | jq -e 'length == 1 and
		(.[0] | has("Timers.Closed") or has("Timers.Inactive") | not)'
	fake_get state | jq -e '.conversations[0].attributes | fromjson | has("maskedSession") | not'
}

@test "timers without state on create: State=active is sent, Twilio never answers 50382" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"timers\":{\"inactive\":\"PT1H\",\"closed\":\"P1D\"}}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	forms POST '^/v1/Conversations$' | jq -e 'length == 1 and .[0].State == ["active"] and
		.[0]["Timers.Inactive"] == ["PT1H"] and .[0]["Timers.Closed"] == ["P1D"]'
	twilio_never_refused
	fake_get requests | jq -e 'all(.[]; (.body // "" | tostring | contains("50382")) | not)'
	# The flat spelling too; a State given is sent as given.
	reset_fake
	post_session "{\"addresses\":[\"$A\"],\"timers.closed\":\"PT2H\",\"state\":\"inactive\"}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	forms POST '^/v1/Conversations$' | jq -e '.[0].State == ["inactive"] and .[0]["Timers.Closed"] == ["PT2H"]'
	twilio_never_refused
}

# ------------------------------------------------------------ dateExpiry

@test "dateExpiry: answered in whole-second UTC, kept under maskedSession, the caller's attributes byte-exact" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"dateExpiry\":\"2030-01-02T03:04:05.678+02:00\",\"attributes\":\"{\\\"team\\\": \\\"blue\\\"}\"}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	echo "$body" | jq -e '.dateExpiry == "2030-01-02T01:04:05Z"'
	[ "$(echo "$body" | jq -r .attributes)" = '{"team": "blue"}' ]
	stored_attributes | jq -e '.team == "blue" and .maskedSession.dateExpiry == "2030-01-02T01:04:05Z"'
	# The caller's text comes first, byte for byte, in what Twilio holds.
	fake_get state | jq -e '.conversations[0].attributes | startswith("{\"team\": \"blue\"")'
	sid=$(echo "$body" | jq -r .sid)
	api GET "/sessions/$sid"
	[ "$status_code" = 200 ]
	[ "$(echo "$body" | jq -r .attributes)" = '{"team": "blue"}' ]
	echo "$body" | jq -e '.dateExpiry == "2030-01-02T01:04:05Z" and (has("maskedSession") | not)'
}

@test "expiresIn: dateExpiry is now plus that many seconds, whole-second UTC" {
	before=$(date -u +%s)
	post_session "{\"addresses\":[\"$A\"],\"expiresIn\":86400}"
	after=$(date -u +%s)
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	d=$(echo "$body" | jq -r .dateExpiry)
	[[ "$d" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	t=$(date -u -d "$d" +%s)
	[ "$t" -ge $((before + 86400 - 1)) ] && [ "$t" -le $((after + 86400 + 1)) ]
	echo "$body" | jq -e '.attributes == "{}" and (has("expiresIn") | not)'
	stored_attributes | jq -e --arg d "$d" '.maskedSession.dateExpiry == $d'
}

@test "dateExpiry and expiresIn together, a past dateExpiry, not a date: 400 naming the field" {
	CASE=both post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":\"2030-01-01T00:00:00Z\",\"expiresIn\":60}"
	CASE=both expect_error 400 invalid_request expiresIn
	CASE=past post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":\"2020-01-01T00:00:00Z\"}"
	CASE=past expect_error 400 invalid_request dateExpiry past
	CASE=not-a-date post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":\"tomorrow\"}"
	CASE=not-a-date expect_error 400 invalid_request dateExpiry
	CASE=no-offset post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":\"2030-01-01T00:00:00\"}"
	CASE=no-offset expect_error 400 invalid_request dateExpiry
	CASE=no-day post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":\"2030-02-30T00:00:00Z\"}"
	CASE=no-day expect_error 400 invalid_request dateExpiry
	CASE=number post_session "{\"addresses\":[\"$A\"],\"dateExpiry\":1900000000}"
	CASE=number expect_error 400 invalid_request dateExpiry
	CASE=expiresIn-0 post_session "{\"addresses\":[\"$A\"],\"expiresIn\":0}"
	CASE=expiresIn-0 expect_error 400 invalid_request expiresIn
	CASE=expiresIn-string post_session "{\"addresses\":[\"$A\"],\"expiresIn\":\"60\"}"
	CASE=expiresIn-string expect_error 400 invalid_request expiresIn
	verify
	nothing_made
}

# ----------------------------------------------------------------- mode

@test "mode: the three modes are accepted, kept and answered; anything else is 400 naming mode" {
	for m in voice-and-message voice-only message-only; do
		post_session "{\"addresses\":[\"$A\"],\"mode\":\"$m\"}"
		[ "$status_code" = 200 ] || { echo "$m: $body"; false; }
		echo "$body" | jq -e --arg m "$m" '.mode == $m and .attributes == "{}"'
		fake_get state | jq -e --arg m "$m" '.conversations[-1].attributes | fromjson | .maskedSession.mode == $m'
	done
	reset_fake
	for m in '"voice"' '"Voice-only"' '""' '"message-only "' 1 true '["voice-only"]'; do
		CASE=$m post_session "{\"addresses\":[\"$A\"],\"mode\":$m}"
		CASE=$m expect_error 400 invalid_request mode mode
	done
	verify
	nothing_made
}

@test "a message-only session's call is out of session: no call placed, no participants listed" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"mode\":\"message-only\"}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	pa=$(echo "$body" | jq -r --arg a "$A" '.participants[] | select(.address == $a) | .proxyAddress')
	[ "$pa" = "$PA" ]
	n=$(fake_get requests | jq length)
	call From="$A" Called="$pa" To="$pa" CallSid=CA0123456789abcdef0123456789abcdef
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	fake_get requests | jq -e --argjson n "$n" '.[$n:] |
		all(.[]; .method == "GET") and
		([.[] | select(.path | test("/Participants$"))] | length) == 0'
	fake_get state | jq -e '.calls == []'
}

@test "a voice-and-message session and a voice-only one connect the call" {
	for m in voice-and-message voice-only; do
		reset_fake
		post_session "{\"addresses\":[\"$A\",\"$B\"],\"mode\":\"$m\"}"
		[ "$status_code" = 200 ] || { echo "$body"; false; }
		call From="$A" Called="$PA" To="$PA"
		expect_twiml "$(dial "$PB" "$B")"
	done
}

@test "an expired session's call is out of session (expiresIn 2, 3 s later)" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"expiresIn\":2}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	# Before: it connects.
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	sleep 3
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	fake_get state | jq -e '.calls == []'
}

@test "a session whose stored dateExpiry has passed is out of session; one still to come connects" {
	fake_seed "{\"conversations\":[{\"state\":\"active\",
		\"attributes\":\"{\\\"x\\\":1,\\\"maskedSession\\\":{\\\"dateExpiry\\\":\\\"2021-01-01T00:00:00Z\\\"}}\",
		\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	reset_fake
	fake_seed "{\"conversations\":[{\"state\":\"active\",
		\"attributes\":\"{\\\"maskedSession\\\":{\\\"dateExpiry\\\":\\\"2099-01-01T00:00:00Z\\\"}}\",
		\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
}

# ----------------------------------------------------------- attributes

@test "the caller's attributes may not use maskedSession, nor be a non-object with §10 keys: 400 naming attributes" {
	CASE=string post_session "{\"addresses\":[\"$A\"],\"attributes\":\"{\\\"maskedSession\\\":{\\\"ttl\\\":600}}\"}"
	CASE=string expect_error 400 invalid_request attributes maskedSession
	CASE=object post_session "{\"addresses\":[\"$A\"],\"attributes\":{\"a\":1,\"maskedSession\":true}}"
	CASE=object expect_error 400 invalid_request attributes maskedSession
	CASE=escaped post_session "{\"addresses\":[\"$A\"],\"attributes\":\"{\\\"masked\\\\u0053ession\\\":1}\"}"
	CASE=escaped expect_error 400 invalid_request attributes maskedSession
	CASE=array-mode post_session "{\"addresses\":[\"$A\"],\"attributes\":\"[1,2]\",\"mode\":\"voice-only\"}"
	CASE=array-mode expect_error 400 invalid_request attributes
	CASE=array-ttl post_session "{\"addresses\":[\"$A\"],\"attributes\":\"[]\",\"ttl\":3600}"
	CASE=array-ttl expect_error 400 invalid_request attributes
	CASE=string-expiry post_session "{\"addresses\":[\"$A\"],\"attributes\":\"\\\"x\\\"\",\"expiresIn\":60}"
	CASE=string-expiry expect_error 400 invalid_request attributes
	verify
	nothing_made
	# Without §10's keys an array is the caller's own business.
	post_session "{\"addresses\":[\"$A\"],\"attributes\":\"[1,2]\"}"
	[ "$status_code" = 200 ] || { echo "$body"; false; }
	[ "$(echo "$body" | jq -r .attributes)" = '[1,2]' ]
}
