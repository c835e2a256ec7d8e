#!/usr/bin/env bats
# POST /sessions refusing bad requests, and Twilio failing under it (SPEC §3,
# §4), through lighttpd, against the fake Twilio. The pool is the harness's
# five numbers.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234 C=+16045551234
POOL_NUMBERS='["+12125550100","+14155550100","+14155550101","+16045550100","+442071838750"]'

# req [curl args...]: POST /sessions with exactly those arguments (no
# default auth or type); sets $status_code, $ctype, $challenge (the
# WWW-Authenticate header) and $body.
req() {
	local out
	out=$(curl -s -o - -w '\n%{content_type}\n%header{www-authenticate}\n%{http_code}' "$@" "$BASE_URL/sessions")
	status_code=${out##*$'\n'}
	out=${out%$'\n'*}
	challenge=${out##*$'\n'}
	out=${out%$'\n'*}
	ctype=${out##*$'\n'}
	body=${out%$'\n'*}
}

# json_req BODY [curl args...]: with the right credentials and type.
json_req() {
	local json="$1"
	shift
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

# expect_error STATUS ERROR [FIELD] [WORD]: queues a check that the last
# answer is STATUS, application/json, {"error": ERROR, "message": "...WORD...",
# "field": FIELD} (FIELD "-": no field key), with the Basic challenge when
# 401. verify runs the queued checks, all in one jq; $CASE labels them.
expect_error() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:-}" "${CASE:-}" \
		"$status_code" "$ctype" "$challenge" "$body" >>"$BATS_TEST_TMPDIR/checks"
}

verify() {
	local bad
	bad=$(jq -R -r 'split("\t") as [$s, $e, $f, $w, $case, $gs, $ct, $ch, $gb] |
		(try ($gb | fromjson) catch null) as $b |
		select(($gs == $s and $ct == "application/json" and ($b | type) == "object" and
			$b.error == $e and ($b.message | type == "string" and length > 0 and contains($w)) and
			(if $f == "-" then ($b | has("field") | not) else $b.field == $f end) and
			(if $s == "401" then $ch == "Basic realm=\"sessions\"" else true end)) | not) |
		"case [\($case)]: want \($s) \($e) field=\($f) message~\($w)\n  got \($gs) \($ct) [\($ch)] \($gb)"' \
		"$BATS_TEST_TMPDIR/checks")
	rm -f "$BATS_TEST_TMPDIR/checks"
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}

# Nothing was asked of Twilio, and it holds no conversation.
nothing_made() {
	curl -sf "$FAKE_URL/_fake/requests" "$FAKE_URL/_fake/state" |
		jq -s -e '.[0] == [] and .[1].conversations == []' >/dev/null || {
		fake_get requests; return 1; }
}

# Form parameters of the product's requests: METHOD PATH-REGEX -> JSON array.
forms() {
	fake_get requests | jq -c --arg m "$1" --arg p "$2" '[.[] | select(.method == $m and (.path | test($p))) | .form]'
}

# ------------------------------------------------------------------ auth

@test "no credentials: 401 with WWW-Authenticate: Basic realm=\"sessions\"" {
	req -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
	[ "$challenge" = 'Basic realm="sessions"' ]
	expect_error 401 unauthorized
	verify
	nothing_made
}

@test "wrong password, wrong user: 401 with the challenge" {
	for CASE in "$AUTH_USER:wrong" "$AUTH_USER:${AUTH_PASS}x" "$AUTH_USER:${AUTH_PASS% *}" \
	    "other:$AUTH_PASS" "${AUTH_USER^^}:$AUTH_PASS" "$AUTH_USER:"; do
		req -u "$CASE" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
		expect_error 401 unauthorized
	done
	verify
	nothing_made
}

@test "malformed credentials: bad base64, no colon, another scheme: 401" {
	nocolon=$(printf '%s' "$AUTH_USER" | base64)
	good=$(printf '%s' "$AUTH_USER:$AUTH_PASS" | base64 -w0)
	for CASE in "Basic !!!not-base64!!!" "Basic ${good%?}" "Basic $nocolon" "Basic" "Basic " \
	    "Bearer $good" "Digest username=\"$AUTH_USER\"" "$good"; do
		req -H "Authorization: $CASE" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
		expect_error 401 unauthorized
	done
	verify
	nothing_made
	# The same credentials, well formed, are accepted (a colon in the password too).
	req -H "Authorization: Basic $good" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
	[ "$status_code" = 200 ]
}

# ------------------------------------------------------------ the body

@test "a content type other than application/json is 415" {
	for CASE in text/plain application/x-www-form-urlencoded application/jsonx text/json ''; do
		req -u "$AUTH_USER:$AUTH_PASS" -H "Content-Type: $CASE" --data-binary "{\"addresses\":[\"$A\"]}"
		expect_error 415 unsupported_media_type - application/json
	done
	verify
	nothing_made
	# With parameters, and in another case, it is JSON.
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: Application/JSON; charset=utf-8' --data-binary "{\"addresses\":[\"$A\"]}"
	[ "$status_code" = 200 ]
}

@test "malformed JSON is 400 invalid_json" {
	for CASE in '{"addresses":["+14155551234"],}' "{'addresses':['+14155551234']}" \
	    '{"addresses":["+14155551234"]} x' '{"addresses":["+14155551234"]}{}' 'addresses=+14155551234' \
	    '{"addresses":["+14155551234\x"]}' '{"addresses":[+14155551234]}' $'{"addresses":["\xff"]}' ''; do
		json_req "$CASE"
		expect_error 400 invalid_json - JSON
	done
	verify
	nothing_made
	# White space around the value is not an error.
	json_req $' \n{"addresses":["+14155551234"]}\r\n\t '
	[ "$status_code" = 200 ]
}

@test "truncated JSON is 400 invalid_json" {
	for CASE in '{"addresses":["+14155551234"]' '{"addresses":["+1415' '{"addresses":' '{'; do
		json_req "$CASE"
		expect_error 400 invalid_json
	done
	verify
	nothing_made
}

@test "a body that is not a JSON object is 400" {
	for CASE in '["+14155551234"]' '"+14155551234"' null true '42 ' '[]'; do
		json_req "$CASE"
		expect_error 400 invalid_request - object
	done
	verify
	nothing_made
}

@test "a bare number as the body is 400 saying it is not an object" {
	json_req 42
	expect_error 400 invalid_request - object
	verify
	nothing_made
}

@test "addresses missing, not an array, or empty: 400 naming addresses" {
	for CASE in '{}' '{"friendlyName":"x"}' "{\"addresses\":\"$A\"}" '{"addresses":{}}' \
	    '{"addresses":null}' '{"addresses":[]}'; do
		json_req "$CASE"
		expect_error 400 invalid_request addresses addresses
	done
	verify
	nothing_made
}

@test "51 addresses is 400; 50 is a session" {
	fifty=$(printf '"+1415555%d",' $(seq 1000 1049))
	json_req "{\"addresses\":[$fifty\"+14155551050\"]}"
	expect_error 400 invalid_request addresses 51
	verify
	nothing_made
	json_req "{\"addresses\":[${fifty%,}]}"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '.participants | length == 50'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 50'
}

@test "a duplicate address is 400 naming it" {
	json_req "{\"addresses\":[\"$A\",\"$B\",\"$A\"]}"
	expect_error 400 invalid_request addresses "addresses[2] repeats $A"
	verify
	nothing_made
}

@test "numbers that are not E.164 are 400 naming addresses" {
	for CASE in 14155551234 +04155551234 +1234567890123456 +1415555ABCD +1 + '' \
	    '+1 415 555 1234' '+1-415-555-1234' '(415) 555-1234' ' +14155551234' '+14155551234 ' \
	    '+١٤١٥٥٥٥١٢٣٤' 'whatsapp:+14155551234' '+1415555123\u0000'; do
		json_req "{\"addresses\":[\"$B\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1]"
	done
	for CASE in "{\"addresses\":[${B#+}]}" "{\"addresses\":[null]}" "{\"addresses\":[[\"$A\"]]}"; do
		json_req "$CASE"
		expect_error 400 invalid_request addresses "addresses[0]"
	done
	verify
	nothing_made
	# A number of the wrong length for its country (+1: exactly 10 digits
	# after the country code; others at least 4).
	for CASE in "+1415555" "+141555512345" "+1415555123" "+7495123456" "+683123"; do
		json_req "{\"addresses\":[\"$A\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1] has the wrong number of digits"
	done
	verify
	nothing_made
	# The edges that are valid: the shortest plan (Niue, 4 digits after
	# +683) and E.164's 15 digits.
	json_req '{"addresses":["+6831234","+861234567890123"]}'
	[ "$status_code" = 200 ]
}

@test "an unknown field is 400 naming it" {
	for key in colour Addresses friendly_name FriendlyName timers.open bindings.sms.address address; do
		CASE=$key
		json_req "{\"addresses\":[\"$A\"],\"$key\":\"x\"}"
		expect_error 400 invalid_request "$key" "\"$key\""
	done
	# Unknown keys inside the nested objects too.
	CASE=timers.open
	json_req "{\"addresses\":[\"$A\"],\"timers\":{\"open\":\"PT1H\"}}"
	expect_error 400 invalid_request timers.open '"timers.open"'
	CASE=bindings.sms
	json_req "{\"addresses\":[\"$A\"],\"bindings\":{\"sms\":{\"address\":\"x\"}}}"
	expect_error 400 invalid_request bindings.sms '"bindings.sms"'
	verify
	nothing_made
}

@test "a pool number given as a participant's own address is 400 naming it" {
	for CASE in "+14155550100" "+442071838750"; do
		json_req "{\"addresses\":[\"$A\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1] is one of the pool's proxy numbers"
	done
	verify
	nothing_made
}

@test "wrong types are 400 naming the field" {
	while read -r field CASE; do
		json_req "{\"addresses\":[\"$A\"],$CASE}"
		expect_error 400 invalid_request "$field" "$field"
	done <<-'EOF'
		friendlyName "friendlyName":42
		friendlyName "friendlyName":["a"]
		uniqueName "uniqueName":true
		attributes "attributes":["a"]
		attributes "attributes":7
		state "state":1
		messagingServiceSid "messagingServiceSid":{}
		dateCreated "dateCreated":1700000000
		dateUpdated "dateUpdated":{"at":1}
		timers.inactive "timers":{"inactive":3600}
		timers.closed "timers.closed":86400
		bindings.email.address "bindings":{"email":{"address":7}}
		bindings.email.name "bindings.email.name":false
	EOF
	verify
	nothing_made
}

@test "timers or bindings that are not objects are 400 naming that field" {
	for CASE in timers bindings; do
		json_req "{\"addresses\":[\"$A\"],\"$CASE\":\"PT1H\"}"
		expect_error 400 invalid_request "$CASE" "$CASE"
	done
	verify
	nothing_made
}

@test "a state outside active, inactive, closed is 400" {
	for CASE in open Active '' 'closed ' deleted; do
		json_req "{\"addresses\":[\"$A\"],\"state\":\"$CASE\"}"
		expect_error 400 invalid_request state state
	done
	verify
	nothing_made
}

@test "a messagingServiceSid that is not MG + 32 hex is 400" {
	for CASE in MG123 MG0123456789abcdef0123456789abcdeg MG0123456789abcdef0123456789abcdef0 \
	    CH0123456789abcdef0123456789abcdef mg0123456789abcdef0123456789abcdef ''; do
		json_req "{\"addresses\":[\"$A\"],\"messagingServiceSid\":\"$CASE\"}"
		expect_error 400 invalid_request messagingServiceSid messagingServiceSid
	done
	verify
	nothing_made
}

@test "a body over 64 KiB is 413; exactly 64 KiB is served" {
	head="{\"addresses\":[\"$A\"]"
	pad=$(head -c $((65536 - ${#head} - 1)) /dev/zero | tr '\0' ' ')
	printf '%s%s}' "$head" "$pad" >"$BATS_TEST_TMPDIR/64k.json"
	printf '%s%s }' "$head" "$pad" >"$BATS_TEST_TMPDIR/64k1.json"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/64k.json")" = 65536 ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/64k1.json")" = 65537 ]
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/64k1.json"
	expect_error 413 body_too_large - 64
	# Sent chunked, without a Content-Length.
	CASE=chunked
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
		--data-binary "@$BATS_TEST_TMPDIR/64k1.json"
	expect_error 413 body_too_large - 64
	verify
	nothing_made
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/64k.json"
	[ "$status_code" = 200 ]
	[ "$(conversation_count)" = 1 ]
}

@test "a body over lighttpd's own limit is 413 too" {
	head -c $((1100 * 1024)) /dev/zero | tr '\0' ' ' >"$BATS_TEST_TMPDIR/big.json"
	req -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/big.json"
	[ "$status_code" = 413 ]
	nothing_made
}

@test "GET /sessions is 405" {
	run curl -s -D - -o /dev/null -u "$AUTH_USER:$AUTH_PASS" "$BASE_URL/sessions"
	[[ "$output" == "HTTP/1.1 405 "* ]]
	[[ "$output" == *$'\r\nAllow: POST\r\n'* ]]
	nothing_made
}

# ----------------------------------------------- what reaches Twilio

@test "camelCase properties reach Twilio as its form parameters, objects serialised" {
	json_req "{\"addresses\":[\"$A\",\"$B\"],\"friendlyName\":\"Ride & 42\",\"uniqueName\":\"ride-42\",
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

@test "flat keys timers.* and bindings.email.* and a string attributes map the same way" {
	json_req "{\"addresses\":[\"$A\"],\"timers.inactive\":\"PT2H\",\"timers.closed\":\"P2D\",
		\"bindings.email.address\":\"a@example.com\",\"bindings.email.name\":\"A\",
		\"attributes\":\"{\\\"kept\\\": \\\"as is\\\"}\"}"
	[ "$status_code" = 200 ]
	# No uniqueName given: the service makes one up (masked- and 32 hex).
	forms POST '^/v1/Conversations$' | jq -e '(.[0]["UniqueName"][0] | test("^masked-[0-9a-f]{32}$")) and
		(map(del(.UniqueName)) == [{"Timers.Inactive": ["PT2H"], "Timers.Closed": ["P2D"],
		"Bindings.Email.Address": ["a@example.com"], "Bindings.Email.Name": ["A"],
		"Attributes": ["{\"kept\": \"as is\"}"]}])'
	# Each participant: the address and the proxy number it was given.
	forms POST '/Participants$' | jq -e --arg a "$A" 'map({"MessagingBinding.Address", "MessagingBinding.ProxyAddress"})
		== [{"MessagingBinding.Address": [$a], "MessagingBinding.ProxyAddress": ["+14155550100"]}]'
}

# ------------------------------------------------------- Twilio refusing

@test "a uniqueName taken: the second session is 409 with twilioCode 50353 and leaves nothing" {
	json_req "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"only-once\"}"
	[ "$status_code" = 200 ]
	first=$(echo "$body" | jq -r .sid)
	json_req "{\"addresses\":[\"$C\",\"$B\"],\"uniqueName\":\"only-once\"}"
	expect_error 409 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 50353 and .twilioStatus == 409 and
		.message == "Conversation with provided unique name already exists"'
	fake_get state | jq -e --arg s "$first" '[.conversations[].sid] == [$s] and
		(.conversations[0].participants | length) == 2'
	# No participant was added for the second attempt.
	[ "$(forms POST '/Participants$' | jq length)" = 2 ]
}

@test "Twilio's 400 on a parameter keeps its status and code" {
	json_req "{\"addresses\":[\"$A\"],\"timers\":{\"inactive\":\"PT30S\"}}"
	expect_error 400 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 20001 and .twilioStatus == 400 and (.message | contains("Timers.Inactive"))'
	[ "$(conversation_count)" = 0 ]
}

@test "Twilio's 404 (an unknown messagingServiceSid) keeps its status and code" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":404,"code":20404,"message":"The requested resource /Services/MG0123456789abcdef0123456789abcdef was not found"}'
	json_req "{\"addresses\":[\"$A\"],\"messagingServiceSid\":\"MG0123456789abcdef0123456789abcdef\"}"
	expect_error 404 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 20404 and .twilioStatus == 404 and (.message | contains("MG0123456789abcdef0123456789abcdef"))'
	[ "$(conversation_count)" = 0 ]
}

@test "pool exhausted: 500 'Not enough numbers available in pool for +E164' and no half-made conversation" {
	sids=()
	for i in 0 1 2 3 4; do
		json_req "{\"addresses\":[\"$A\",\"+1212555100$i\"]}"
		[ "$status_code" = 200 ] || { echo "session $i: $status_code $body"; return 1; }
		sids+=("$(echo "$body" | jq -r .sid)")
	done
	# A's five sessions use the whole pool, each number once.
	fake_get state | jq -e --arg a "$A" --argjson pool "$POOL_NUMBERS" '
		[.conversations[].participants[].messaging_binding | select(.address == $a) | .proxy_address] | sort == $pool'
	json_req "{\"addresses\":[\"$A\",\"+12125551005\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e --arg a "$A" '.message == "Not enough numbers available in pool for \($a)"'
	fake_get state | jq -e --argjson s "$(printf '%s\n' "${sids[@]}" | jq -R . | jq -s .)" \
		'[.conversations[].sid] == $s and all(.conversations[]; (.participants | length) == 2)'
	# B's partner got no binding left behind either.
	fake_get state | jq -e '[.conversations[].participants[].messaging_binding.address] | index("+12125551005") == null'
}

@test "every candidate refused with 50416: pool exhausted, conversation deleted" {
	fault '{"method":"POST","path":"/Participants$","match":{"MessagingBinding.Address":"^\\+14155551234$"},"status":409,"code":50416,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e --arg a "$A" '.message == "Not enough numbers available in pool for \($a)"'
	# Each of the five numbers was tried once, in rank order, same area code first.
	forms POST '/Participants$' | jq -e --arg a "$A" '[.[] | select(."MessagingBinding.Address" == [$a]) |
		."MessagingBinding.ProxyAddress"[0]] | .[0:2] == ["+14155550100", "+14155550101"] and length == 5 and (unique | length) == 5'
	[ "$(conversation_count)" = 0 ]
}

@test "50416 on the first candidate: the next number is used" {
	fault '{"method":"POST","path":"/Participants$","match":{"MessagingBinding.ProxyAddress":"^\\+14155550100$"},"status":409,"code":50416,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e --arg a "$A" '.participants[] | select(.address == $a) | .proxyAddress == "+14155550101"'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 2'
}

# -------------------------------------------------------- Twilio failing

@test "a 500 on a participant add: 502, and the new conversation is deleted" {
	fault "{\"method\":\"POST\",\"path\":\"/Participants\$\",\"match\":{\"MessagingBinding.Address\":\"^\\\\$B\$\"},\"status\":500,\"times\":-1}"
	json_req "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	expect_error 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 500 and .twilioCode == 20500'
	[ "$(conversation_count)" = 0 ]
	# The conversation had been created; its DELETE is in the log, after the adds.
	fake_get requests | jq -e '
		([.[] | select(.method == "POST" and .path == "/v1/Conversations")] | length) == 1 and
		([.[] | select(.method == "DELETE")] | length) == 1 and
		([.[] | select(.method == "DELETE")][0].path) as $d |
		([.[] | select(.method == "POST" and (.path | endswith("/Participants"))) | .path] | unique) == ["\($d)/Participants"] and
		([.[] | select(.method == "DELETE")][0].status) == 204'
	# A create is not blindly repeated: one attempt for B.
	[ "$(forms POST '/Participants$' | jq --arg b "$B" '[.[] | select(."MessagingBinding.Address" == [$b])] | length')" = 1 ]
}

@test "a dropped connection on a participant add: 502, and the conversation is deleted" {
	fault '{"method":"POST","path":"/Participants$","drop":true,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 502 ]
	echo "$body" | jq -e '.error | test("^twilio_")'
	[ "$(conversation_count)" = 0 ]
	fake_get requests | jq -e '[.[] | select(.method == "DELETE")] | length == 1'
}

@test "a 500 on the conversation create: 502, nothing left" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":500,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\"]}"
	expect_error 502 twilio_error
	[ "$(conversation_count)" = 0 ]
	# Not blindly repeated.
	[ "$(forms POST '^/v1/Conversations$' | jq length)" = 1 ]
}

@test "a 429 storm on the participant adds (every 2nd, Retry-After: 0) still makes the session" {
	fault '{"method":"POST","path":"/Participants$","status":429,"code":20429,"every":2,"retry_after":0,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	[ "$status_code" = 200 ] || { echo "$body"; return 1; }
	echo "$body" | jq -e '.participants | length == 3 and all(.[]; .sid | test("^MB[0-9a-f]{32}$"))'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 3'
	n=$(fake_get requests | jq '[.[] | select(.status == 429)] | length')
	[ "$n" -ge 2 ]
}

@test "a 429 storm on every Twilio call still makes the session" {
	fault '{"status":429,"code":20429,"every":2,"retry_after":0,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	[ "$status_code" = 200 ] || { echo "$body"; return 1; }
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 3'
	fake_get requests | jq -e '[.[] | select(.status == 429)] | length >= 3'
}

@test "429 past the retry budget: 502 with Twilio's 429, nothing left" {
	fault '{"method":"POST","path":"/Participants$","status":429,"code":20429,"retry_after":0,"times":-1}'
	json_req "{\"addresses\":[\"$A\",\"$B\"]}"
	expect_error 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 429 and .twilioCode == 20429'
	[ "$(conversation_count)" = 0 ]
}
