#!/usr/bin/env bats
# Hostile input: a corpus of bad requests, each answered with the right 4xx
# and a message naming the problem, and the service still serving the next
# request, with nothing created at Twilio.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A='"addresses":["+14155551234","+12125551234"]'

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

@test "40+ malformed bodies are each refused with 400 naming the problem" {
	json_case '{'"$A" 400 invalid_json "expected ',' or '}'"
	json_case '{"addresses":["+1415' 400 invalid_json "unterminated string"
	json_case '' 400 invalid_json "unexpected end of the text"
	json_case 'null' 400 invalid_request "must be a JSON object"
	json_case '[]' 400 invalid_request "must be a JSON object"
	json_case '"addresses"' 400 invalid_request "must be a JSON object"
	json_case '{'"$A"'}x' 400 invalid_json "text after the JSON value"
	json_case '{'"$A"',}' 400 invalid_json "expected a string"
	json_case "{'addresses':['+14155551234']}" 400 invalid_json "expected a string"
	json_case '{'"$A"',"attributes":{"a":NaN}}' 400 invalid_json "unexpected character"
	json_case '{'"$A"',"attributes":{"a":1e}}' 400 invalid_json "malformed number"
	json_case '{'"$A"',"attributes":{"a":1e999999}}' 400 invalid_json "number out of range"
	json_case '{'"$A"',"attributes":{"a":99999999999999999999}}' 400 invalid_json "number out of range"
	json_case "{$A,\"friendlyName\":\"a$(printf '\tb')\"}" 400 invalid_json "control character"
	json_case "{$A,\"friendlyName\":\"$(printf '\xff\xfe')\"}" 400 invalid_json "invalid UTF-8"
	json_case "{$A,\"friendlyName\":\"$(printf '\xc0\xaf')\"}" 400 invalid_json "invalid UTF-8"
	json_case '{'"$A"',"friendlyName":"\ud800"}' 400 invalid_json "lone surrogate"
	json_case '{'"$A"',"friendlyName":"a\u0000b"}' 400 invalid_request "NUL"
	json_case '{'"$A"',"friendlyName":"a","friendlyName":"b"}' 400 invalid_json "duplicate key"
	json_case '{'"$A"','"$A"'}' 400 invalid_json "duplicate key"
	json_case "{$A,\"attributes\":$(printf '[%.0s' $(seq 50))$(printf ']%.0s' $(seq 50))}" 400 invalid_json "nested too deep"
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
	json_case '{'"$A"',"colour":"red"}' 400 invalid_request 'unknown field "colour"'
	json_case '{'"$A"',"friendlyName":42}' 400 invalid_request "friendlyName must be a string"
	json_case '{'"$A"',"friendlyName":["x"]}' 400 invalid_request "friendlyName must be a string"
	json_case '{'"$A"',"attributes":[1]}' 400 invalid_request "attributes must be a string or an object"
	json_case '{'"$A"',"attributes":true}' 400 invalid_request "attributes must be a string or an object"
	json_case '{'"$A"',"timers":"PT1H"}' 400 invalid_request "must be an object"
	json_case '{'"$A"',"timers":{"later":"PT1H"}}' 400 invalid_request 'unknown field "timers.later"'
	json_case '{'"$A"',"state":"open"}' 400 invalid_request "state must be active, inactive or closed"
	json_case '{'"$A"',"messagingServiceSid":"MG123"}' 400 invalid_request "messagingServiceSid must be MG"
	json_case '{'"$A"',"uniqueName":{"a":1}}' 400 invalid_request "uniqueName must be a string"
	[ "$(conversation_count)" = 0 ]
	# Still serving.
	post_session '{'"$A"'}'
	[ "$status_code" = 200 ]
}

@test "each refusal names the field at fault" {
	json_case '{'"$A"',"friendlyName":42}' 400 invalid_request "friendlyName"
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
	raw POST text/plain "$(good_auth)" '{'"$A"'}'
	expect 415 unsupported_media_type "application/json"
	raw POST application/x-www-form-urlencoded "$(good_auth)" 'addresses=%2B14155551234'
	expect 415 unsupported_media_type "application/json"
	raw POST "" "$(good_auth)" '{'"$A"'}'
	expect 415 unsupported_media_type "application/json"
	raw POST 'application/json; charset=utf-8' "$(good_auth)" '{'"$A"'}'
	[ "$status_code" = 200 ]
	for m in GET PUT DELETE PATCH; do
		raw "$m" application/json "$(good_auth)" ''
		expect 405 method_not_allowed "only POST"
	done
	post_session '{'"$A"'}'
	[ "$status_code" = 200 ]
}

@test "basic auth: missing, wrong, malformed" {
	raw POST application/json "" '{'"$A"'}'
	expect 401 unauthorized "basic authentication required"
	raw POST application/json "Bearer abc" '{'"$A"'}'
	expect 401 unauthorized "basic authentication required"
	raw POST application/json "Basic $(printf '%s:wrong' "$AUTH_USER" | base64 -w0)" '{'"$A"'}'
	expect 401 unauthorized "wrong credentials"
	raw POST application/json "Basic $(printf 'other:%s' "$AUTH_PASS" | base64 -w0)" '{'"$A"'}'
	expect 401 unauthorized "wrong credentials"
	raw POST application/json "Basic !!!notbase64!!!" '{'"$A"'}'
	expect 401 unauthorized "malformed"
	raw POST application/json "Basic $(printf 'nocolon' | base64 -w0)" '{'"$A"'}'
	expect 401 unauthorized "malformed"
	raw POST application/json "Basic $(printf ':%s' "$AUTH_PASS" | base64 -w0)" '{'"$A"'}'
	expect 401 unauthorized "malformed"
	raw POST application/json "Basic =" '{'"$A"'}'
	expect 401 unauthorized "malformed"
	[ "$(conversation_count)" = 0 ]
}

@test "webhooks: missing, garbage, tampered and replayed signatures are 403" {
	for path in /inbound-call /conversations-post-event; do
		SIGNATURE=' ' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		SIGNATURE='garbage' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		SIGNATURE='AAAAAAAAAAAAAAAAAAAAAAAAAAA=' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		# Signed for the other endpoint: a replay.
		SIGN_URL="https://$DOMAIN/other" webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
	done
	# A valid signature over other values than those sent.
	sig=$("$PY" "$BATS_TEST_DIRNAME/../lib/sign.py" "$AUTH_TOKEN" "https://$DOMAIN/inbound-call" From=+14155551234 Called=+14155550100)
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Twilio-Signature: $sig" \
		--data-urlencode From=+14155559999 --data-urlencode Called=+14155550100 \
		"$BASE_URL/inbound-call"
	[ "$output" = 403 ]
	# A body that is not a valid form: 400, whatever the signature.
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Twilio-Signature: $sig" \
		--data-binary 'From=%ZZ' "$BASE_URL/inbound-call"
	[ "$output" = 400 ]
	fake_get requests | jq -e 'length == 0'
}
