#!/usr/bin/env bats
# A session's messages (SPEC §9): a message into the conversation (delivered
# by Twilio to every SMS participant), an SMS to one participant only from
# their proxy number, and the message log paged with opaque tokens.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234 C=+16045551234

# session JSON: a new session; sets $sid and $parts (its participants).
session() {
	post_session "$1"
	[ "$status_code" = 200 ] || { echo "session: $status_code $body" >&2; return 1; }
	sid=$(echo "$body" | jq -r .sid)
	parts=$(echo "$body" | jq -c .participants)
}

log_length() { fake_get requests | jq length; }

# No request since the Nth of the log (0-based) posted anything to Twilio.
no_post_since() {
	fake_get requests | jq -e --argjson n "$1" '.[$n:] | all(.method != "POST")' >/dev/null || {
		fake_get requests | jq -c --argjson n "$1" '.[$n:]' >&2; return 1; }
}

# say SID BODY: posts one message into session SID, expecting 201.
say() {
	api POST "/sessions/$1/messages" "{\"body\":\"$2\"}"
	[ "$status_code" = 201 ] || { echo "say: $status_code $body" >&2; return 1; }
}

@test "POST messages: 201 with the message; Twilio got Body and Author with webhooks enabled" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	api POST "/sessions/$sid/messages" '{"body":"Your driver is arriving","author":"dispatch","attributes":{"kind":"eta"}}'
	[ "$status_code" = 201 ] && [ "$ctype" = application/json ] || { echo "$status_code $body"; return 1; }
	echo "$body" | jq -e '(.sid | test("^IM[0-9a-f]{32}$")) and (.index | type) == "number" and
		.author == "dispatch" and .body == "Your driver is arriving" and (.dateCreated | type) == "string" and
		(.attributes | fromjson) == {kind: "eta"}'
	fake_get requests | jq -e --arg s "$sid" '[.[] | select(.method == "POST" and .path == "/v1/Conversations/\($s)/Messages")] |
		length == 1 and .[0].form.Body == ["Your driver is arriving"] and .[0].form.Author == ["dispatch"] and
		(.[0].form.Attributes[0] | fromjson) == {kind: "eta"} and .[0].webhook_enabled == "true"'
	fake_get state | jq -e --arg s "$sid" '.conversations[] | select(.sid == $s) | .messages |
		length == 1 and .[0].body == "Your driver is arriving" and .[0].webhook_enabled == true'
	# Without an author or attributes; 1600 characters is still fine.
	long=$(printf 'x%.0s' $(seq 1600))
	api POST "/sessions/$sid/messages" "{\"body\":\"$long\"}"
	[ "$status_code" = 201 ]
	echo "$body" | jq -e '.body | length == 1600'
	fake_get requests | jq -e '[.[] | select(.method == "POST" and (.path | test("/Messages$")))] | .[1] |
		(.form | has("Author") | not) and .webhook_enabled == "true"'
}

@test "POST messages: bad bodies -> 400 naming the field, unknown session 404, nothing sent" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	n=$(log_length)
	CASE=missing; api POST "/sessions/$sid/messages" '{"author":"x"}'
	expect_error 400 invalid_request body
	CASE=empty-object; api POST "/sessions/$sid/messages" '{}'
	expect_error 400 invalid_request body
	long=$(printf 'x%.0s' $(seq 1601))
	CASE=1601; api POST "/sessions/$sid/messages" "{\"body\":\"$long\"}"
	expect_error 400 invalid_request body
	CASE=body-number; api POST "/sessions/$sid/messages" '{"body":42}'
	expect_error 400 invalid_request body
	CASE=body-null; api POST "/sessions/$sid/messages" '{"body":null}'
	expect_error 400 invalid_request body
	CASE=author-number; api POST "/sessions/$sid/messages" '{"body":"hi","author":7}'
	expect_error 400 invalid_request author
	CASE=attributes-array; api POST "/sessions/$sid/messages" '{"body":"hi","attributes":[1]}'
	expect_error 400 invalid_request attributes
	CASE=unknown-key; api POST "/sessions/$sid/messages" '{"body":"hi","to":"+16045551234"}'
	expect_error 400 invalid_request to
	CASE=not-object; api POST "/sessions/$sid/messages" '["hi"]'
	expect_error 400 invalid_request
	CASE=bad-json; api POST "/sessions/$sid/messages" '{"body":'
	expect_error 400 invalid_json
	verify
	no_post_since "$n"
	CASE=unknown-session; api POST "/sessions/CH00000000000000000000000000000000/messages" '{"body":"hi"}'
	expect_error 404 session_not_found
	verify
	fake_get state | jq -e '[.conversations[].messages[]] == []'
}

@test "POST to one participant: an SMS from their proxy number, by SID and by E.164, in two round trips" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	mb=$(echo "$parts" | jq -r --arg b "$B" '.[] | select(.address == $b) | .sid')
	bproxy=$(echo "$parts" | jq -r --arg b "$B" '.[] | select(.address == $b) | .proxyAddress')
	aproxy=$(echo "$parts" | jq -r --arg a "$A" '.[] | select(.address == $a) | .proxyAddress')
	n=$(log_length)
	api POST "/sessions/$sid/participants/$mb/messages" '{"body":"Your driver is here"}'
	[ "$status_code" = 201 ] || { echo "$status_code $body"; return 1; }
	echo "$body" | jq -e --arg b "$B" --arg p "$bproxy" '(.sid | test("^SM[0-9a-f]{32}$")) and .to == $b and
		.from == $p and (.status | type) == "string"'
	fake_get state | jq -e --arg b "$B" --arg p "$bproxy" '.messages_sent | length == 1 and
		.[0].params.To == $b and .[0].params.From == $p and .[0].params.Body == "Your driver is here"'
	# The participants, then Messages.json: nothing else.
	fake_get requests | jq -e --argjson n "$n" --arg s "$sid" '.[$n:] | length == 2 and
		.[0].method == "GET" and (.[0].path | startswith("/v1/Conversations/\($s)/Participants")) and
		.[1].method == "POST" and (.[1].path | test("^/2010-04-01/Accounts/AC[0-9a-f]{32}/Messages.json$"))'
	api POST "/sessions/$sid/participants/%2B14155551234/messages" '{"body":"Your rider is waiting"}'
	[ "$status_code" = 201 ]
	echo "$body" | jq -e --arg a "$A" --arg p "$aproxy" '.to == $a and .from == $p'
	fake_get state | jq -e --arg a "$A" --arg p "$aproxy" '.messages_sent | length == 2 and
		.[1].params.To == $a and .[1].params.From == $p and .[1].params.Body == "Your rider is waiting"'
	# Nothing went into the conversation itself.
	fake_get state | jq -e '[.conversations[].messages[]] == []'
}

@test "POST to one participant: not in the session -> 404 participant_not_found, no SMS" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	other_sid=$sid
	session "{\"addresses\":[\"$C\",\"$B\"]}"
	cmb=$(echo "$parts" | jq -r --arg c "$C" '.[] | select(.address == $c) | .sid')
	CASE=e164; api POST "/sessions/$other_sid/participants/%2B16045551234/messages" '{"body":"hi"}'
	expect_error 404 participant_not_found
	CASE=other-sessions-sid; api POST "/sessions/$other_sid/participants/$cmb/messages" '{"body":"hi"}'
	expect_error 404 participant_not_found
	CASE=unknown-session; api POST "/sessions/CH00000000000000000000000000000000/participants/%2B16045551234/messages" '{"body":"hi"}'
	[ "$status_code" = 404 ]
	CASE=no-body; api POST "/sessions/$sid/participants/%2B16045551234/messages" '{}'
	expect_error 400 invalid_request body
	verify
	fake_get state | jq -e '.messages_sent == []'
	fake_get requests | jq -e 'all(.[]; .path | test("Messages.json") | not)'
}

@test "GET messages: oldest first by default, order=desc newest first" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	for m in one two three; do say "$sid" "$m"; done
	api GET "/sessions/$sid/messages"
	[ "$status_code" = 200 ] && [ "$ctype" = application/json ]
	echo "$body" | jq -e '[.messages[].body] == ["one","two","three"] and .nextPageToken == null'
	echo "$body" | jq -e '.messages[0] | (.sid | test("^IM")) and (.index | type) == "number" and
		has("participantSid") and has("dateCreated") and has("attributes")'
	api GET "/sessions/$sid/messages?order=desc"
	[ "$status_code" = 200 ]
	echo "$body" | jq -e '[.messages[].body] == ["three","two","one"]'
	fake_get requests | jq -e '[.[] | select(.method == "GET" and (.path | test("/Messages$"))) | .query.Order[0]] == ["asc","desc"]'
}

@test "GET messages: pageSize=2 over 5 walks 3 pages with nextPageToken" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	for i in 1 2 3 4 5; do say "$sid" "m$i"; done
	seen=() token= pages=0
	while :; do
		api GET "/sessions/$sid/messages?pageSize=2${token:+&pageToken=$token}"
		[ "$status_code" = 200 ] || { echo "$body"; return 1; }
		pages=$((pages + 1))
		while read -r b; do seen+=("$b"); done < <(echo "$body" | jq -r '.messages[].body')
		token=$(echo "$body" | jq -r '.nextPageToken // empty')
		[ -n "$token" ] || break
		# Opaque: never a URL.
		[[ "$token" != *http* && "$token" != */* ]] || { echo "token $token"; return 1; }
		token=$(jq -rn --arg t "$token" '$t | @uri')
		[ "$pages" -lt 5 ] || break
	done
	[ "$pages" = 3 ]
	[ "${seen[*]}" = "m1 m2 m3 m4 m5" ]
	echo "$body" | jq -e '.nextPageToken == null and (.messages | length) == 1'
}

@test "GET messages: bad paging -> 400, unknown session 404" {
	session "{\"addresses\":[\"$A\",\"$B\"]}"
	for i in 1 2 3; do say "$sid" "a$i"; done
	first=$sid
	session "{\"addresses\":[\"$C\",\"$B\"]}"
	for i in 1 2 3; do say "$sid" "b$i"; done
	other=$sid
	api GET "/sessions/$other/messages?pageSize=1"
	token=$(echo "$body" | jq -r .nextPageToken)
	[ -n "$token" ] && [ "$token" != null ]
	n=$(log_length)
	CASE=other-session; api GET "/sessions/$first/messages?pageSize=1&pageToken=$(jq -rn --arg t "$token" '$t | @uri')"
	expect_error 400 invalid_page_token
	# One character changed, in the middle and at the end.
	mid=$((${#token} / 2))
	for pos in $mid $((${#token} - 1)); do
		c=${token:$pos:1}
		[ "$c" = A ] && r=B || r=A
		bad="${token:0:$pos}$r${token:$((pos + 1))}"
		CASE=tampered-$pos; api GET "/sessions/$other/messages?pageSize=1&pageToken=$(jq -rn --arg t "$bad" '$t | @uri')"
		expect_error 400 invalid_page_token
	done
	CASE=garbage; api GET "/sessions/$other/messages?pageToken=nonsense"
	expect_error 400 invalid_page_token
	CASE=url; api GET "/sessions/$other/messages?pageToken=https%3A%2F%2Fexample.com%2Fx"
	expect_error 400 invalid_page_token
	for q in pageSize=0 pageSize=101 pageSize=x order=up; do
		CASE=$q; api GET "/sessions/$other/messages?$q"
		expect_error 400 invalid_request "${q%%=*}"
	done
	verify
	# None of these reached Twilio.
	[ "$(log_length)" = "$n" ] || { fake_get requests | jq -c ".[$n:]"; return 1; }
	# The untouched token still works.
	api GET "/sessions/$other/messages?pageSize=1&pageToken=$(jq -rn --arg t "$token" '$t | @uri')"
	[ "$status_code" = 200 ] && echo "$body" | jq -e '[.messages[].body] == ["b2"]'
	api GET "/sessions/CH00000000000000000000000000000000/messages"
	expect_error 404 session_not_found
	verify
}
