#!/usr/bin/env bats
# POST /sessions refusing what it cannot serve (SPEC §4): the content type
# (415), the JSON (400 invalid_json), each field (400 invalid_request naming
# it), the size (413), the method (405); each with a message saying what is
# wrong, nothing asked of Twilio, and the service still serving the next
# request.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234
# Two people, as a JSON member.
AB='"addresses":["+14155551234","+12125551234"]'

# raw METHOD CTYPE AUTH BODY [curl args]: sets status_code and body.
raw() {
	local method=$1 ctype=$2 auth=$3 data=$4; shift 4
	local args=(-s -o - -w '\n%{http_code}' -X "$method")
	[ -n "$ctype" ] && args+=(-H "Content-Type: $ctype")
	[ -n "$auth" ] && args+=(-H "Authorization: $auth")
	[ "$method" = POST ] && args+=(--data-binary "$data")
	body=$(curl "${args[@]}" "$@" "$BASE_URL/sessions")
	status_code=${body##*$'\n'}
	body=${body%$'\n'*}
}

good_auth() { printf 'Basic %s' "$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64 -w0)"; }

# expect STATUS ERROR-CODE MESSAGE-PART: checks the last answer.
expect() {
	if [ "$status_code" != "$1" ] || [ "$(echo "$body" | jq -r .error)" != "$2" ] ||
	    [[ "$(echo "$body" | jq -r .message)" != *"$3"* ]]; then
		echo "expected $1 $2 \"$3\", got $status_code: $body" >&2
		return 1
	fi
}

# A JSON body case: BODY STATUS ERROR MESSAGE-PART.
json_case() {
	raw POST application/json "$(good_auth)" "$1"
	expect "$2" "$3" "$4"
}

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
		post_session "$CASE"
		expect_error 400 invalid_json - JSON
	done
	verify
	nothing_made
	# White space around the value is not an error.
	post_session $' \n{"addresses":["+14155551234"]}\r\n\t '
	[ "$status_code" = 200 ]
}

@test "truncated JSON is 400 invalid_json" {
	for CASE in '{"addresses":["+14155551234"]' '{"addresses":["+1415' '{"addresses":' '{'; do
		post_session "$CASE"
		expect_error 400 invalid_json
	done
	verify
	nothing_made
}

@test "a body that is not a JSON object (a bare number too) is 400" {
	for CASE in '["+14155551234"]' '"+14155551234"' null true 42 '42 ' '[]'; do
		post_session "$CASE"
		expect_error 400 invalid_request - object
	done
	verify
	nothing_made
}

@test "addresses missing, not an array, or empty: 400 naming addresses" {
	for CASE in '{}' '{"friendlyName":"x"}' "{\"addresses\":\"$A\"}" '{"addresses":{}}' \
	    '{"addresses":null}' '{"addresses":[]}'; do
		post_session "$CASE"
		expect_error 400 invalid_request addresses addresses
	done
	verify
	nothing_made
}

@test "51 addresses is 400 naming addresses" {
	fifty=$(printf '"+1415555%d",' $(seq 1000 1049))
	post_session "{\"addresses\":[$fifty\"+14155551050\"]}"
	expect_error 400 invalid_request addresses 51
	verify
	nothing_made
}

@test "a duplicate address is 400 naming it" {
	post_session "{\"addresses\":[\"$A\",\"$B\",\"$A\"]}"
	expect_error 400 invalid_request addresses "addresses[2] repeats $A"
	verify
	nothing_made
}

@test "numbers that are not E.164 are 400 naming addresses" {
	for CASE in 14155551234 +04155551234 +1234567890123456 +1415555ABCD +1 + '' \
	    '+1 415 555 1234' '+1-415-555-1234' '(415) 555-1234' ' +14155551234' '+14155551234 ' \
	    '+١٤١٥٥٥٥١٢٣٤' 'whatsapp:+14155551234' '+1415555123\u0000'; do
		post_session "{\"addresses\":[\"$B\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1]"
	done
	for CASE in "{\"addresses\":[${B#+}]}" "{\"addresses\":[null]}" "{\"addresses\":[[\"$A\"]]}"; do
		post_session "$CASE"
		expect_error 400 invalid_request addresses "addresses[0]"
	done
	verify
	nothing_made
	# A number of the wrong length for its country (+1: exactly 10 digits
	# after the country code; others at least 4).
	for CASE in "+1415555" "+141555512345" "+1415555123" "+7495123456" "+683123"; do
		post_session "{\"addresses\":[\"$A\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1] has the wrong number of digits"
	done
	verify
	nothing_made
	# The edges that are valid: the shortest plan (Niue, 4 digits after
	# +683) and E.164's 15 digits.
	post_session '{"addresses":["+6831234","+861234567890123"]}'
	[ "$status_code" = 200 ]
}

@test "an unknown field is 400 naming it" {
	for key in colour Addresses friendly_name FriendlyName timers.open bindings.sms.address address; do
		CASE=$key
		post_session "{\"addresses\":[\"$A\"],\"$key\":\"x\"}"
		expect_error 400 invalid_request "$key" "\"$key\""
	done
	# Unknown keys inside the nested objects too.
	CASE=timers.open
	post_session "{\"addresses\":[\"$A\"],\"timers\":{\"open\":\"PT1H\"}}"
	expect_error 400 invalid_request timers.open '"timers.open"'
	CASE=bindings.sms
	post_session "{\"addresses\":[\"$A\"],\"bindings\":{\"sms\":{\"address\":\"x\"}}}"
	expect_error 400 invalid_request bindings.sms '"bindings.sms"'
	verify
	nothing_made
}

@test "a pool number given as a participant's own address is 400 naming it" {
	for CASE in "+14155550100" "+442071838750"; do
		post_session "{\"addresses\":[\"$A\",\"$CASE\"]}"
		expect_error 400 invalid_request addresses "addresses[1] is one of the pool's proxy numbers"
	done
	verify
	nothing_made
}

@test "wrong types are 400 naming the field" {
	while read -r field CASE; do
		post_session "{\"addresses\":[\"$A\"],$CASE}"
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
		post_session "{\"addresses\":[\"$A\"],\"$CASE\":\"PT1H\"}"
		expect_error 400 invalid_request "$CASE" "$CASE"
	done
	verify
	nothing_made
}

@test "a state outside active, inactive, closed is 400" {
	for CASE in open Active '' 'closed ' deleted; do
		post_session "{\"addresses\":[\"$A\"],\"state\":\"$CASE\"}"
		expect_error 400 invalid_request state state
	done
	verify
	nothing_made
}

@test "a messagingServiceSid that is not MG + 32 hex is 400" {
	for CASE in MG123 MG0123456789abcdef0123456789abcdeg MG0123456789abcdef0123456789abcdef0 \
	    CH0123456789abcdef0123456789abcdef mg0123456789abcdef0123456789abcdef ''; do
		post_session "{\"addresses\":[\"$A\"],\"messagingServiceSid\":\"$CASE\"}"
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

@test "PUT /sessions is 405, Allow naming GET and POST" {
	run curl -s -D - -o /dev/null -X PUT -u "$AUTH_USER:$AUTH_PASS" "$BASE_URL/sessions"
	[[ "$output" == "HTTP/1.1 405 "* ]]
	[[ "$output" == *$'\r\nAllow: GET, POST\r\n'* ]]
	nothing_made
}

# -------------------------- a corpus of hostile bodies, each message checked

@test "40+ malformed bodies are each refused with 400 naming the problem" {
	json_case '{'"$AB" 400 invalid_json "expected ',' or '}'"
	json_case '{"addresses":["+1415' 400 invalid_json "unterminated string"
	json_case '' 400 invalid_json "unexpected end of the text"
	json_case 'null' 400 invalid_request "must be a JSON object"
	json_case '[]' 400 invalid_request "must be a JSON object"
	json_case '"addresses"' 400 invalid_request "must be a JSON object"
	json_case '{'"$AB"'}x' 400 invalid_json "text after the JSON value"
	json_case '{'"$AB"',}' 400 invalid_json "expected a string"
	json_case "{'addresses':['+14155551234']}" 400 invalid_json "expected a string"
	json_case '{'"$AB"',"attributes":{"a":NaN}}' 400 invalid_json "unexpected character"
	json_case '{'"$AB"',"attributes":{"a":1e}}' 400 invalid_json "malformed number"
	json_case '{'"$AB"',"attributes":{"a":1e999999}}' 400 invalid_json "number out of range"
	json_case '{'"$AB"',"attributes":{"a":99999999999999999999}}' 400 invalid_json "number out of range"
	json_case "{$AB,\"friendlyName\":\"a$(printf '\tb')\"}" 400 invalid_json "control character"
	json_case "{$AB,\"friendlyName\":\"$(printf '\xff\xfe')\"}" 400 invalid_json "invalid UTF-8"
	json_case "{$AB,\"friendlyName\":\"$(printf '\xc0\xaf')\"}" 400 invalid_json "invalid UTF-8"
	json_case '{'"$AB"',"friendlyName":"\ud800"}' 400 invalid_json "lone surrogate"
	json_case '{'"$AB"',"friendlyName":"a\u0000b"}' 400 invalid_request "NUL"
	json_case '{'"$AB"',"friendlyName":"a","friendlyName":"b"}' 400 invalid_json "duplicate key"
	json_case '{'"$AB"','"$AB"'}' 400 invalid_json "duplicate key"
	json_case "{$AB,\"attributes\":$(printf '[%.0s' $(seq 50))$(printf ']%.0s' $(seq 50))}" 400 invalid_json "nested too deep"
	json_case '{}' 400 invalid_request "addresses is required"
	json_case '{"addresses":[]}' 400 invalid_request "1 to 50"
	json_case '{"addresses":"+14155551234"}' 400 invalid_request "must be an array"
	json_case '{"addresses":[14155551234]}' 400 invalid_request "must be a string"
	json_case '{"addresses":[null]}' 400 invalid_request "must be a string"
	json_case '{"addresses":["14155551234"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+04155551234"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+1415555123456789"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+1 415 555 1234"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+1415555abcd"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+1"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["++14155551234"]}' 400 invalid_request "not an E.164"
	json_case '{"addresses":["+14155551234","+14155551234"]}' 400 invalid_request "repeats"
	json_case "{\"addresses\":$("$PY" -c 'import json; print(json.dumps(["+1415555%04d" % i for i in range(51)]))')}" 400 invalid_request "1 to 50"
	json_case '{'"$AB"',"colour":"red"}' 400 invalid_request 'unknown field "colour"'
	json_case '{'"$AB"',"friendlyName":42}' 400 invalid_request "friendlyName must be a string"
	json_case '{'"$AB"',"friendlyName":["x"]}' 400 invalid_request "friendlyName must be a string"
	json_case '{'"$AB"',"attributes":[1]}' 400 invalid_request "attributes must be a string or an object"
	json_case '{'"$AB"',"attributes":true}' 400 invalid_request "attributes must be a string or an object"
	json_case '{'"$AB"',"timers":"PT1H"}' 400 invalid_request "must be an object"
	json_case '{'"$AB"',"timers":{"later":"PT1H"}}' 400 invalid_request 'unknown field "timers.later"'
	json_case '{'"$AB"',"state":"open"}' 400 invalid_request "state must be active, inactive or closed"
	json_case '{'"$AB"',"messagingServiceSid":"MG123"}' 400 invalid_request "messagingServiceSid must be MG"
	json_case '{'"$AB"',"uniqueName":{"a":1}}' 400 invalid_request "uniqueName must be a string"
	[ "$(conversation_count)" = 0 ]
	# Still serving.
	post_session '{'"$AB"'}'
	[ "$status_code" = 200 ]
}

@test "each refusal names the field at fault" {
	json_case '{'"$AB"',"friendlyName":42}' 400 invalid_request "friendlyName"
	[ "$(echo "$body" | jq -r .field)" = friendlyName ]
	json_case '{"addresses":["+1"]}' 400 invalid_request "addresses[0]"
	[ "$(echo "$body" | jq -r .field)" = addresses ]
}

@test "sizes, lengths, content types and methods" {
	big=$("$PY" -c 'print("{\"addresses\":[\"+14155551234\"],\"friendlyName\":\"" + "x"*70000 + "\"}")')
	raw POST application/json "$(good_auth)" "$big"
	expect 413 body_too_large "64 KiB"
	# A Content-Length that promises more than is sent: lighttpd waits for the
	# rest, then gives up; the worker is not blocked meanwhile.
	run curl -s -m 3 -o /dev/null -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
		-H 'Content-Type: application/json' -H 'Content-Length: 500' \
		--data-binary '{"addresses":["+14155551234"]}' "$BASE_URL/sessions"
	[ "$output" != 200 ]
	raw POST text/plain "$(good_auth)" '{'"$AB"'}'
	expect 415 unsupported_media_type "application/json"
	raw POST application/x-www-form-urlencoded "$(good_auth)" 'addresses=%2B14155551234'
	expect 415 unsupported_media_type "application/json"
	raw POST "" "$(good_auth)" '{'"$AB"'}'
	expect 415 unsupported_media_type "application/json"
	raw POST 'application/json; charset=utf-8' "$(good_auth)" '{'"$AB"'}'
	[ "$status_code" = 200 ]
	for m in PUT DELETE PATCH; do
		raw "$m" application/json "$(good_auth)" ''
		expect 405 method_not_allowed "only GET, POST"
	done
	post_session '{'"$AB"'}'
	[ "$status_code" = 200 ]
}
