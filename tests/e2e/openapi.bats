#!/usr/bin/env bats
# The OpenAPI checker (tests/lib/openapi_check.py, tests/lib/openapi.bash)
# without any server: openapi.yaml passes its self-test, answers that conform
# pass, and each kind of drift fails, named.
# e2e: once (does not depend on the web server)

setup() {
	# shellcheck source=tests/lib/openapi.bash
	source "$BATS_TEST_DIRNAME/../lib/openapi.bash"
	WORK=$BATS_TEST_TMPDIR
	SPEC=$BATS_TEST_DIRNAME/../../openapi.yaml
	CHECK=$BATS_TEST_DIRNAME/../lib/openapi_check.py
	CH=CH0123456789abcdef0123456789abcdef
	MB1=MB00000000000000000000000000000001
	MB2=MB00000000000000000000000000000002
	PART1="{\"sid\":\"$MB1\",\"address\":\"+14155551234\",\"proxyAddress\":\"+14155550100\"}"
	PART2="{\"sid\":\"$MB2\",\"address\":\"+12125551234\",\"proxyAddress\":\"+12125550100\"}"
	SESSION=$(jq -c -n --arg ch "$CH" --argjson p1 "$PART1" --argjson p2 "$PART2" '{
		accountSid: "AC00000000000000000000000000000000",
		chatServiceSid: "IS0123456789abcdef0123456789abcdef",
		messagingServiceSid: "MG0123456789abcdef0123456789abcdef",
		sid: $ch, friendlyName: "Ride 42", uniqueName: "masked-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		attributes: "{}", state: "active",
		dateCreated: "2026-12-06T09:00:00Z", dateUpdated: "2026-12-06T09:00:00Z",
		timers: {}, url: "https://conversations.twilio.com/v1/Conversations/\($ch)",
		links: {participants: "https://conversations.twilio.com/v1/Conversations/\($ch)/Participants"},
		bindings: null, participants: [$p1, $p2]}')
	ERR='{"error":"session_not_found","message":"no such session"}'
}

# check FILE: runs the checker on FILE.
check() { run /usr/bin/python3 "$CHECK" "$SPEC" "$1"; }

# drift SESSION-LIKE-ARGS...: one answer (openapi_record's arguments) must
# fail the check; sets $output.
drift() {
	OPENAPI_ANSWERS=$BATS_TEST_TMPDIR/drift.jsonl
	rm -f "$OPENAPI_ANSWERS"
	openapi_record "$@"
	check "$OPENAPI_ANSWERS"
	echo "$output"
	[ "$status" = 1 ]
	[[ "$output" == *"1 answers checked, 1 problems"* ]] || [[ "$output" == *"1 answers checked, 2 problems"* ]]
}

# expect TEXT: the last check's output names the problem.
expect() {
	[[ "$output" == *"$1"* ]] || { echo "not found in the output: $1"; return 1; }
}

@test "openapi.yaml passes its self-test" {
	run /usr/bin/python3 "$CHECK" "$SPEC" --self-test
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *"11 operations"*", 0 problems" ]]
}

@test "the self-test finds a broken document: bad example, dangling \$ref, no operationId, 204 with content" {
	sed -e 's/proxyAddress: "+14155550100"}/proxyAddress: "14155550100"}/' \
		-e 's/operationId: listMessages/summary: x/' \
		-e "s|'204': {\$ref: '#/components/responses/NoContent'}|'204': {\$ref: '#/components/responses/NotFound'}|" \
		"$SPEC" >"$BATS_TEST_TMPDIR/bad.yaml"
	run /usr/bin/python3 "$CHECK" "$BATS_TEST_TMPDIR/bad.yaml" --self-test
	echo "$output"
	[ "$status" = 1 ]
	expect "examples/created: at \$.participants[0].proxyAddress: '14155550100' does not match"
	expect "GET /sessions/{id}/messages: no operationId"
	expect "DELETE /sessions/{id}: 204 has content"
	sed -e "s|'#/components/schemas/Mode'|'#/components/schemas/Moda'|" "$SPEC" >"$BATS_TEST_TMPDIR/bad.yaml"
	run /usr/bin/python3 "$CHECK" "$BATS_TEST_TMPDIR/bad.yaml" --self-test
	echo "$output"
	[ "$status" = 1 ]
	expect "\$ref '#/components/schemas/Moda' does not resolve"
	sed -e 's/      minItems: 1$/      minItems: one/' "$SPEC" >"$BATS_TEST_TMPDIR/bad.yaml"
	run /usr/bin/python3 "$CHECK" "$BATS_TEST_TMPDIR/bad.yaml" --self-test
	echo "$output"
	[ "$status" = 1 ]
	expect "/components/schemas/CreateSession: not a valid schema: 'one' is not of type 'integer'"
}

@test "answers that conform pass (openapi_record, openapi_verify)" {
	local J=application/json item msg
	item=$(jq -c 'del(.participants) + {ttl: 3600, dateExpiry: "2026-12-06T18:00:00Z", mode: "voice-only"}' <<<"$SESSION")
	msg="{\"accountSid\":\"AC00000000000000000000000000000000\",\"conversationSid\":\"$CH\",
  \"sid\":\"IM0123456789abcdef0123456789abcdef\",\"index\":0,\"author\":\"+14155551234\",
  \"body\":\"line one\\nline \\\"two\\\"\\ttab \\u00e9\",\"media\":null,\"attributes\":\"{}\",
  \"participantSid\":\"$MB1\",\"dateCreated\":\"2026-12-06T09:05:00Z\",
  \"dateUpdated\":\"2026-12-06T09:05:00Z\",\"delivery\":null,\"url\":null,\"links\":{},
  \"contentSid\":null,\"someNewTwilioKey\":[1,2]}"
	CASE="create" openapi_record POST /sessions 200 $J "$SESSION"
	openapi_record POST /sessions 200 "$J; charset=utf-8" "$(jq . <<<"$SESSION")"
	openapi_record GET "/sessions?state=closed&pageSize=2" 200 $J \
		"{\"sessions\":[$item,$item],\"nextPageToken\":\"opaque-1\"}"
	openapi_record GET "/sessions?address=%2B14155551234" 200 $J \
		"$(jq -c --arg mb "$MB1" '{sessions: [. + {proxyAddress: "+14155550100", participantSid: $mb}], nextPageToken: null}' <<<"$item")"
	openapi_record GET /sessions 200 $J '{"sessions":[],"nextPageToken":null}'
	openapi_record GET "/sessions/$CH" 200 $J "$SESSION"
	openapi_record GET /sessions/ride-42 200 $J \
		"$(jq -c '.timers = {date_inactive: "2026-12-06T10:00:00Z", date_closed: null} | .state = null' <<<"$SESSION")"
	openapi_record POST "/sessions/$CH" 200 $J "$(jq -c '. + {ttl: 600}' <<<"$SESSION")"
	openapi_record DELETE "/sessions/$CH" 204 "" ""
	openapi_record GET "/sessions/$CH/participants" 200 $J "{\"participants\":[$PART1,$PART2]}"
	openapi_record POST "/sessions/$CH/participants" 201 $J "{\"participants\":[$PART2]}"
	openapi_record DELETE "/sessions/$CH/participants/%2B14155551234" 204 "" ""
	openapi_record DELETE "/sessions/$CH/participants/$MB1" 404 $J \
		'{"error":"participant_not_found","message":"no such participant"}'
	openapi_record POST "/sessions/$CH/messages" 201 $J \
		'{"sid":"IM0123456789abcdef0123456789abcdef","index":3,"author":"system","body":"hi","dateCreated":"2026-12-06T09:05:00Z"}'
	openapi_record POST "/sessions/$CH/participants/$MB1/messages" 201 $J \
		'{"sid":"SM0123456789abcdef0123456789abcdef","to":"+14155551234","from":"+14155550100","status":"queued"}'
	openapi_record GET "/sessions/$CH/messages?order=desc&pageSize=1" 200 $J \
		"{\"messages\":[$msg],\"nextPageToken\":null}"
	# errors, as documented
	openapi_record GET /sessions 401 $J '{"error":"unauthorized","message":"basic authentication required"}' \
		'WWW-Authenticate: Basic realm="sessions"'
	openapi_record POST /sessions 400 $J '{"error":"invalid_request","message":"addresses is required","field":"addresses"}'
	openapi_record POST /sessions 409 $J '{"error":"twilio_rejected","message":"taken","twilioCode":50353,"twilioStatus":409}'
	openapi_record POST /sessions 500 $J '{"error":"pool_exhausted","message":"Not enough numbers available in pool for +14155551234","address":"+14155551234"}'
	openapi_record POST /sessions 502 $J "{\"error\":\"twilio_error\",\"message\":\"Twilio failed\",\"cleanedUp\":false,\"conversationSid\":\"$CH\"}"
	openapi_record GET "/sessions/$CH" 404 $J "$ERR"
	openapi_record POST "/sessions/$CH/participants" 409 $J '{"error":"session_full","message":"at most 50"}'
	# paths and methods not described: 404 or 405 with the error body
	openapi_record PUT /sessions 405 $J '{"error":"method_not_allowed","message":"only GET, POST are served here"}' \
		'Allow: GET, POST'
	openapi_record GET /sessions/x/y 404 $J '{"error":"not_found","message":"this program serves nothing at this path"}'
	openapi_record GET /sessions/ 404 $J '{"error":"not_found","message":"nothing here"}'
	# mounted below a prefix, a full URL
	openapi_record GET "/app/v2/sessions/$CH" 200 $J "$SESSION"
	openapi_record GET "http://127.0.0.1:3000/sessions/$CH/participants" 200 $J '{"participants":[]}'
	[ "$(wc -l <"$WORK/openapi-answers.jsonl")" = 28 ]
	run openapi_verify
	echo "$output"
	[ "$status" = 0 ]
	run /usr/bin/python3 "$CHECK" "$SPEC" "$WORK/openapi-answers.jsonl"
	[ "$status" = 0 ]
	[ "$output" = "openapi: 28 answers checked, 0 problems" ]
	# the case label went into the line
	head -1 "$WORK/openapi-answers.jsonl" | jq -e '.case == "create" and .status == 200' >/dev/null
}

@test "openapi_record keeps any body byte for byte; openapi_verify fails and shows why" {
	# raw newline and tab between the keys, escapes and shell characters inside
	local body=$'{"error":\t"not_found",\n "message": "quote \\" back\\\\slash \'single\' $HOME `x` \\u0000 \\n"}'
	openapi_record GET /nowhere 404 application/json "$body"
	[ "$(jq -r .body "$WORK/openapi-answers.jsonl")" = "$body" ]
	run openapi_verify
	echo "$output"
	[ "$status" = 0 ]
	openapi_record GET /nowhere 200 text/plain "hello"
	run openapi_verify
	echo "$output"
	[ "$status" = 1 ]
	expect "answer 2 GET /nowhere -> 200: the spec has no path /nowhere: the answer must be 404 or 405"
	# nothing recorded: nothing to check
	OPENAPI_ANSWERS=$BATS_TEST_TMPDIR/none.jsonl run openapi_verify
	[ "$status" = 0 ]
}

@test "drift: a session without a required key" {
	CASE=no-sid drift GET "/sessions/$CH" 200 application/json "$(jq -c 'del(.sid)' <<<"$SESSION")"
	expect "answer 1 [no-sid] GET /sessions/$CH -> 200 (getSession): at \$: 'sid' is a required property"
	drift POST /sessions 200 application/json "$(jq -c 'del(.participants)' <<<"$SESSION")"
	expect "'participants' is a required property"
}

@test "drift: a wrong type" {
	drift GET "/sessions/$CH" 200 application/json "$(jq -c '.ttl = "3600"' <<<"$SESSION")"
	expect "at \$.ttl: '3600' is not of type 'integer'"
	drift GET "/sessions/$CH" 200 application/json "$(jq -c '.attributes = {}' <<<"$SESSION")"
	expect "at \$.attributes: {} is not of type 'string', 'null'"
	drift GET "/sessions/$CH/participants" 200 application/json "{\"participants\":[$PART1,{\"sid\":\"$MB2\",\"address\":14155551234,\"proxyAddress\":\"+12125550100\"}]}"
	expect "at \$.participants[1].address: 14155551234 is not of type 'string'"
	drift GET /sessions 200 application/json '{"sessions":[],"nextPageToken":""}'
	expect "at \$.nextPageToken: '' is too short"
	drift GET "/sessions/$CH" 200 application/json "$(jq -c '.timers = {dateInactive: "2026-12-06T10:00:00Z"}' <<<"$SESSION")"
	expect "at \$.timers.dateInactive: False schema does not allow"
}

@test "drift: an extra key where the shape is strict" {
	drift GET "/sessions/$CH/participants" 200 application/json \
		"{\"participants\":[$(jq -c '. + {identity: "x"}' <<<"$PART1")]}"
	expect "at \$.participants[0]: Additional properties are not allowed ('identity' was unexpected)"
	drift GET "/sessions/$CH" 404 application/json '{"error":"session_not_found","message":"none","detail":"x"}'
	expect "at \$: Additional properties are not allowed ('detail' was unexpected)"
	drift GET /sessions 200 application/json '{"sessions":[],"nextPageToken":null,"meta":{}}'
	expect "('meta' was unexpected)"
	# where Twilio may add keys, an extra key is fine
	OPENAPI_ANSWERS=$BATS_TEST_TMPDIR/ok.jsonl
	openapi_record GET "/sessions/$CH" 200 application/json "$(jq -c '. + {newTwilioKey: 1}' <<<"$SESSION")"
	run openapi_verify
	[ "$status" = 0 ]
}

@test "drift: an undocumented status, and a path or method not described" {
	drift DELETE "/sessions/$CH" 200 application/json "$SESSION"
	expect "status 200 is not documented for deleteSession (documented: 204, 400, 401, 404, 500, 502, 503, 504)"
	drift POST /sessions 201 application/json "$SESSION"
	expect "status 201 is not documented for createSession"
	drift PATCH "/sessions/$CH" 200 application/json "$SESSION"
	expect "the spec has no PATCH on /sessions/{id}: the answer must be 404 or 405"
	drift GET /sessions/x/y 404 application/json '{"error":"nope","message":"x"}'
	expect "at \$.error: 'nope' is not one of"
	# headers, when recorded, are checked
	drift GET /sessions 401 application/json '{"error":"unauthorized","message":"no"}' 'Content-Length: 2'
	expect "header WWW-Authenticate missing"
	drift PUT /sessions 405 application/json '{"error":"method_not_allowed","message":"no"}' 'X: y'
	expect "header Allow missing"
	OPENAPI_ANSWERS=$BATS_TEST_TMPDIR/h.jsonl
	openapi_record GET /sessions 401 application/json '{"error":"unauthorized","message":"no"}' 'WWW-Authenticate: Basic'
	check "$OPENAPI_ANSWERS"
	[ "$status" = 1 ]
	expect "header WWW-Authenticate at \$: 'Basic realm=\"sessions\"' was expected"
}

@test "drift: a success to a query the spec does not allow" {
	drift GET "/sessions?pageSize=500" 200 application/json '{"sessions":[],"nextPageToken":null}'
	expect "a success, yet the query breaks the spec: pageSize='500' 500 is greater than the maximum of 100"
	drift GET "/sessions?state=open&x=1" 200 application/json '{"sessions":[],"nextPageToken":null}'
	expect "state='open' 'open' is not one of ['active', 'inactive', 'closed']"
	drift GET "/sessions?address=14155551234" 200 application/json '{"sessions":[],"nextPageToken":null}'
	expect "address='14155551234' '14155551234' does not match"
	drift GET "/sessions/$CH/messages?order=up&pageSize=0" 200 application/json '{"messages":[],"nextPageToken":null}'
	expect "pageSize='0' 0 is less than the minimum of 1"
	# refused: as it should be
	OPENAPI_ANSWERS=$BATS_TEST_TMPDIR/ok.jsonl
	openapi_record GET "/sessions?pageSize=500" 400 application/json '{"error":"invalid_request","message":"pageSize is 1 to 100","field":"pageSize"}'
	openapi_record GET "/sessions?pageSize=100&state=closed&address=%2B14155551234&other=1" 200 application/json '{"sessions":[],"nextPageToken":null}'
	run openapi_verify
	echo "$output"
	[ "$status" = 0 ]
}

@test "drift: a wrong content type" {
	drift GET "/sessions/$CH" 200 text/html "$SESSION"
	expect "content type 'text/html', documented: application/json"
	drift GET "/sessions/$CH" 404 "" "$ERR"
	expect "content type '', documented: application/json"
}

@test "drift: a 204 with a body" {
	drift DELETE "/sessions/$CH" 204 application/json '{}'
	expect "(deleteSession): no body is documented, got 2 bytes"
	drift DELETE "/sessions/$CH/participants/$MB1" 204 "" " "
	expect "(removeParticipant): no body is documented, got 1 bytes"
}

@test "drift: a body that is not JSON" {
	drift GET "/sessions/$CH" 200 application/json "<html>oops</html>"
	expect "body is not JSON (Expecting value"
	drift GET "/sessions/$CH" 200 application/json "${SESSION%?}"
	expect "body is not JSON"
	drift GET "/sessions/$CH" 404 application/json '{"error":"session_not_found","message":"a","message":"b"}'
	expect "body is not JSON (duplicate key 'message')"
	drift GET /sessions 200 application/json '{"sessions":[],"nextPageToken":NaN}'
	expect "body is not JSON (NaN is not JSON)"
	drift GET "/sessions/$CH" 500 application/json ''
	expect "body is not JSON"
}

@test "drift: an error body without a message" {
	drift POST /sessions 400 application/json '{"error":"invalid_request","field":"addresses"}'
	expect "(createSession): at \$: 'message' is a required property"
	drift GET /nowhere 404 application/json '{"error":"not_found"}'
	expect "'message' is a required property"
	drift POST /sessions 400 application/json '{"error":"invalid_request","message":""}'
	expect "at \$.message: '' is too short"
}
