#!/usr/bin/env bats
# Managing sessions (SPEC §9, §10): reading, listing, changing and deleting a
# session through sessions.fcgi, against the fake Twilio: the answers, what
# reaches Twilio, how many round trips each request takes, and the refusals
# (400s that send nothing, 404, 405, 401, 502).

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }
teardown() { latency 0; }

A=+14155551234 B=+12125551234 C=+13105551234
NOSUCH=CH0123456789abcdef0123456789abcdef

latency() {
	curl -sf -X POST -H 'Content-Type: application/json' --data "{\"latency_ms\":$1}" \
		"$FAKE_URL/_fake/config" >/dev/null
}

# mk JSON: creates a session; $SID is its SID, $CREATED the answer.
mk() {
	post_session "$1"
	[ "$status_code" = 200 ] || { echo "create: $status_code $body"; return 1; }
	SID=$(jq -r .sid <<<"$body")
	CREATED=$body
}

# mark, then since: the fake's request log from the mark on.
mark() { MARK=$(fake_get requests | jq length); }
since() { fake_get requests | jq -c ".[$MARK:]"; }

# nothing_sent: no request reached Twilio since the mark.
nothing_sent() { since | jq -e '. == []' >/dev/null || { since; return 1; }; }

# ok STATUS: the last answer had that status (else shows it).
ok() { [ "$status_code" = "$1" ] || { echo "got $status_code $ctype $body"; return 1; }; }

@test "GET /sessions/{sid}: the session as created, participants and attributes text exactly" {
	mk "{\"addresses\":[\"$A\",\"$B\"],\"friendlyName\":\"Ride\",\"attributes\":\"{\\\"a\\\": 1}\"}"
	api GET "/sessions/$SID"
	ok 200
	[ "$ctype" = application/json ]
	jq -e --argjson c "$CREATED" '(keys == ($c | keys)) and .sid == $c.sid and .friendlyName == "Ride" and
		.attributes == "{\"a\": 1}" and (.participants | length == 2) and
		(.participants | map(keys) | unique) == [["address", "proxyAddress", "sid"]] and
		(.participants | map(.address) | sort) == (["'$A'", "'$B'"] | sort) and
		(.participants | map(.sid | test("^MB[0-9a-f]{32}$")) | all) and
		(.participants | sort_by(.address)) == ($c.participants | sort_by(.address))' <<<"$body"
}

@test "GET /sessions/{uniqueName}: found by name; object attributes come back as their text" {
	mk "{\"addresses\":[\"$A\"],\"uniqueName\":\"ride-42\",\"attributes\":{\"ride\":42,\"tags\":[\"x\"]}}"
	api GET /sessions/ride-42
	ok 200
	jq -e --arg sid "$SID" --argjson c "$CREATED" '.sid == $sid and .uniqueName == "ride-42" and
		.attributes == $c.attributes and (.attributes | fromjson) == {ride: 42, tags: ["x"]} and
		(has("ttl") or has("mode") or has("dateExpiry") | not) and
		.participants == [{sid: .participants[0].sid, address: "'$A'", proxyAddress: "+14155550100"}]' <<<"$body"
	fake_get requests | jq -e '[.[] | select(.method == "GET") | .path] | index("/v1/Conversations/ride-42") != null'
}

@test "GET /sessions/{id} is one round trip: the conversation and its participants asked together" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	mark
	latency 200
	api GET "/sessions/$SID"
	latency 0
	ok 200
	since | jq -e --arg p "/v1/Conversations/$SID" 'map({method, path}) | sort_by(.path) ==
		[{method: "GET", path: $p}, {method: "GET", path: ($p + "/Participants")}]'
	# Both started before either was answered (200 ms each): one round
	# trip, read from the fake's log rather than from a wall clock that a
	# busy machine stretches.
	since | jq -e '(.[1].t - .[0].t) | fabs < 0.15'
}

@test "GET /sessions/{id} of an unknown SID or name: 404 session_not_found, only look-ups sent" {
	mark
	api GET "/sessions/$NOSUCH"
	expect_error 404 session_not_found
	api GET /sessions/no-such-ride
	expect_error 404 session_not_found
	verify
	since | jq -e 'length > 0 and all(.method == "GET")'
	[ "$(conversation_count)" = 0 ]
}

@test "GET /sessions: the account's sessions, filtered by state" {
	s1=$(seed active) s2=$(seed inactive) s3=$(seed closed) s4=$(seed active)
	api GET /sessions
	ok 200
	jq -e --arg a "$s1" --arg b "$s2" --arg c "$s3" --arg d "$s4" '(.sessions | map(.sid) | sort) ==
		([$a, $b, $c, $d] | sort) and .nextPageToken == null and
		(.sessions | map(has("participants")) | any | not)' <<<"$body"
	api GET '/sessions?state=active'
	ok 200
	jq -e --arg a "$s1" --arg d "$s4" '(.sessions | map(.sid) | sort) == ([$a, $d] | sort) and
		(.sessions | map(.state) | unique) == ["active"]' <<<"$body"
	api GET '/sessions?state=inactive'
	jq -e --arg b "$s2" '.sessions | map(.sid) == [$b]' <<<"$body"
	api GET '/sessions?state=closed'
	jq -e --arg c "$s3" '.sessions | map(.sid) == [$c]' <<<"$body"
}

@test "GET /sessions?pageSize=2 over 5 sessions: 3 pages by nextPageToken, no repeats, null at the end" {
	for i in 1 2 3 4 5; do seed active >/dev/null; done
	all=$(fake_get state | jq -c '[.conversations[].sid] | sort')
	api GET '/sessions?pageSize=2'
	ok 200
	seen=$(jq -c '[.sessions[].sid]' <<<"$body")
	sizes=$(jq '.sessions | length' <<<"$body")
	pages=1
	while tok=$(jq -r '.nextPageToken // empty' <<<"$body"); [ -n "$tok" ]; do
		[ "$pages" -lt 5 ] || { echo "too many pages"; return 1; }
		api GET "/sessions?pageSize=2&pageToken=$(jq -rn --arg t "$tok" '$t|@uri')"
		ok 200
		seen=$(jq -c --argjson s "$seen" '$s + [.sessions[].sid]' <<<"$body")
		sizes+=" $(jq '.sessions | length' <<<"$body")"
		pages=$((pages + 1))
	done
	[ "$pages" = 3 ] && [ "$sizes" = "2 2 1" ] || { echo "pages $pages sizes $sizes"; return 1; }
	jq -e '.nextPageToken == null' <<<"$body"
	jq -e --argjson all "$all" '(sort == $all) and (unique | length) == 5' <<<"$seen"
}

@test "a page token from another list, or tampered with, is 400 invalid_page_token and sends nothing" {
	for i in 1 2 3; do seed active "$A/+14155550100" >/dev/null; done
	api GET '/sessions?pageSize=1'
	ok 200
	tok=$(jq -r .nextPageToken <<<"$body")
	[ "$tok" != null ]
	mark
	api GET "/sessions?pageSize=1&state=active&pageToken=$tok"
	CASE=other-state expect_error 400 invalid_page_token
	api GET "/sessions?pageSize=1&address=%2B14155551234&pageToken=$tok"
	CASE=address expect_error 400 invalid_page_token
	mid=$(( ${#tok} / 2 ))
	c=${tok:mid:1}; [ "$c" = A ] && n=B || n=A
	bad=${tok:0:mid}$n${tok:mid+1}
	api GET "/sessions?pageSize=1&pageToken=$bad"
	CASE=tampered expect_error 400 invalid_page_token
	api GET "/sessions?pageToken=https%3A%2F%2Fexample.com%2Fv1%2FConversations"
	CASE=garbage expect_error 400 invalid_page_token
	verify
	nothing_sent
	# The token itself still works on its own list.
	api GET "/sessions?pageSize=1&pageToken=$tok"
	ok 200
}

@test "GET /sessions: bad pageSize, state or an unknown parameter is 400 and sends nothing" {
	mark
	for q in pageSize=0 pageSize=101 pageSize=abc pageSize=; do
		api GET "/sessions?$q"
		CASE=$q expect_error 400 invalid_request pageSize
	done
	api GET '/sessions?state=open'
	CASE=open expect_error 400 invalid_request state
	verify
	# The unknown parameter is named (in the message; field optional).
	api GET '/sessions?colour=blue'
	ok 400
	jq -e '.error == "invalid_request" and (.message | contains("colour")) and
		((has("field") | not) or .field == "colour")' <<<"$body"
	# A name that is not UTF-8 is not quoted back: the answer stays UTF-8.
	# (A bad sequence, a lone continuation byte, a cut-off sequence: every
	# server passes them on. Bytes 0xFE and 0xFF never occur in UTF-8, and
	# Debian's stock lighttpd refuses them itself, with its own HTML 400.)
	for q in '%C3%28x=1' '%80x=1' '%E2%82x=1' 'a%C3=1'; do
		api GET "/sessions?$q"
		ok 400
		iconv -f UTF-8 -t UTF-8 <<<"$body" >/dev/null || { echo "$q: $body"; false; }
		jq -e '.error == "invalid_request"' <<<"$body" || { echo "$q: $body"; false; }
	done
	api GET '/sessions?%FF%FEx=1'
	ok 400
	iconv -f UTF-8 -t UTF-8 <<<"$body" >/dev/null
	nothing_sent
}

@test "GET /sessions?address=: that person's open sessions with their proxyAddress; closed ones on request" {
	s1=$(seed active "$A/+14155550100" "$B/+12125550100")
	s2=$(seed inactive "$A/+14155550101")
	s3=$(seed closed "$A/+16045550100")
	seed active "$B/+14155550101" >/dev/null
	api GET "/sessions?address=%2B14155551234"
	ok 200
	jq -e --arg a "$s1" --arg b "$s2" '(.sessions | sort_by(.proxyAddress) |
		map({sid, proxyAddress})) == [{sid: $a, proxyAddress: "+14155550100"}, {sid: $b, proxyAddress: "+14155550101"}] and
		(.sessions | map(.participantSid | test("^MB[0-9a-f]{32}$")) | all) and .nextPageToken == null' <<<"$body"
	want=$(fake_get state | jq -r --arg s "$s1" '.conversations[] | select(.sid == $s) | .participants[] |
		select(.messaging_binding.address == "'$A'") | .sid')
	jq -e --arg s "$s1" --arg p "$want" '.sessions[] | select(.sid == $s) | .participantSid == $p' <<<"$body"
	api GET "/sessions?address=%2B14155551234&state=closed"
	ok 200
	jq -e --arg c "$s3" '.sessions | map({sid, proxyAddress, state}) ==
		[{sid: $c, proxyAddress: "+16045550100", state: "closed"}]' <<<"$body"
}

@test "GET /sessions?address= with a bad address is 400 field address" {
	mark
	for a in 4155551234 %2B0155551234 abc %2B1415555123456789; do
		api GET "/sessions?address=$a"
		CASE=$a expect_error 400 invalid_request address
	done
	verify
	nothing_sent
}

@test "POST /sessions/{id}: friendlyName, uniqueName and state reach Twilio" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	api POST "/sessions/$SID" '{"friendlyName":"Renamed","uniqueName":"ride-43","state":"inactive"}'
	ok 200
	jq -e --arg s "$SID" '.sid == $s and .friendlyName == "Renamed" and .uniqueName == "ride-43" and
		.state == "inactive" and (.participants | length) == 2' <<<"$body"
	fake_get state | jq -e '.conversations[0] | .friendly_name == "Renamed" and
		.unique_name == "ride-43" and .state == "inactive"'
	api GET /sessions/ride-43
	ok 200
}

@test "POST /sessions/{uniqueName} renaming it: the participants are read before the name changes" {
	mk "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"ride-41\"}"
	latency 100
	mark
	api POST /sessions/ride-41 '{"uniqueName":"ride-44"}'
	ok 200
	jq -e '.uniqueName == "ride-44" and (.participants | length) == 2' <<<"$body"
	# The look-ups by the old name, then the update: none after it by the old name.
	since | jq -e '[.[] | .method + " " + .path] | .[0:2] | sort ==
		["GET /v1/Conversations/ride-41", "GET /v1/Conversations/ride-41/Participants"]'
	since | jq -e '.[2] | .method == "POST" and (.path | test("^/v1/Conversations/CH"))'
}

@test "POST /sessions/{id} of attributes only keeps ttl and mode; the attributes are the new ones exactly" {
	mk "{\"addresses\":[\"$A\",\"$B\"],\"ttl\":3600,\"mode\":\"voice-only\",\"attributes\":{\"old\":1}}"
	jq -e '.ttl == 3600 and .mode == "voice-only"' <<<"$CREATED"
	api POST "/sessions/$SID" '{"attributes":"{\"new\": [1, 2]}"}'
	ok 200
	jq -e '.ttl == 3600 and .mode == "voice-only" and .attributes == "{\"new\": [1, 2]}"' <<<"$body"
	api GET "/sessions/$SID"
	jq -e '.ttl == 3600 and .mode == "voice-only" and .attributes == "{\"new\": [1, 2]}"' <<<"$body"
	# Twilio holds the caller's keys and the service's own under maskedSession.
	fake_get state | jq -e '.conversations[0].attributes | fromjson | .new == [1, 2] and
		.maskedSession.ttl == 3600 and .maskedSession.mode == "voice-only"'
}

@test "POST /sessions/{id} with mode null clears the mode" {
	mk "{\"addresses\":[\"$A\"],\"mode\":\"message-only\"}"
	api POST "/sessions/$SID" '{"mode":null}'
	ok 200
	jq -e 'has("mode") | not' <<<"$body"
	api GET "/sessions/$SID"
	jq -e 'has("mode") | not' <<<"$body"
}

@test "POST /sessions/{id}: every refusal is 400 naming the field, and nothing is sent to Twilio" {
	mk "{\"addresses\":[\"$A\"]}"
	mark
	# dateExpiry and mode: their field is checked in the next test.
	api POST "/sessions/$SID" '{"dateExpiry":"2020-01-01T00:00:00Z"}'
	ok 400 && jq -e '.error == "invalid_request" and (.message | contains("dateExpiry"))' <<<"$body"
	api POST "/sessions/$SID" '{"friendlyName":"x","colour":"blue"}'
	CASE=unknown expect_error 400 invalid_request colour
	api POST "/sessions/$SID" '{}'
	CASE=empty expect_error 400 invalid_request
	api POST "/sessions/$SID" '{"ttl":599}'
	CASE=ttl599 expect_error 400 invalid_request ttl 600
	api POST "/sessions/$SID" '{"ttl":3600,"timers":{"inactive":"PT1H"}}'
	CASE=ttl+timers expect_error 400 invalid_request ttl timers
	api POST "/sessions/$SID" '{"ttl":"3600"}'
	CASE=ttl-string expect_error 400 invalid_request ttl
	api POST "/sessions/$SID" '{"friendlyName":5}'
	CASE=name-number expect_error 400 invalid_request friendlyName
	api POST "/sessions/$SID" '{"state":"open"}'
	CASE=state-bad expect_error 400 invalid_request state
	api POST "/sessions/$SID" '{"mode":"video"}'
	ok 400 && jq -e '.error == "invalid_request" and (.message | contains("mode"))' <<<"$body"
	api POST "/sessions/$SID" '{"attributes":{"maskedSession":{"ttl":1}}}'
	CASE=masked expect_error 400 invalid_request attributes
	api POST "/sessions/$SID" '{"attributes":"{\"maskedSession\": 1}"}'
	CASE=masked-text expect_error 400 invalid_request attributes
	verify
	nothing_sent
	fake_get state | jq -e '.conversations[0].attributes | fromjson | has("maskedSession") | not'
}

@test "POST /sessions/{id}: a past dateExpiry or a bad mode names that field" {
	mk "{\"addresses\":[\"$A\"]}"
	mark
	for i in 1 2 3; do
		api POST "/sessions/$SID" '{"dateExpiry":"2020-01-01T00:00:00Z"}'
		CASE=past-$i expect_error 400 invalid_request dateExpiry past
		api POST "/sessions/$SID" '{"mode":"video"}'
		CASE=mode-$i expect_error 400 invalid_request mode
		api POST "/sessions/$SID" '{"dateExpiry":"tomorrow"}'
		CASE=not-a-date-$i expect_error 400 invalid_request dateExpiry
	done
	# The same refusal on create.
	post_session "{\"addresses\":[\"$A\"],\"mode\":\"video\"}"
	CASE=create-mode expect_error 400 invalid_request mode
	verify
	nothing_sent
}

@test "POST /sessions/{id} with a non-JSON content type is 415 and sends nothing" {
	mk "{\"addresses\":[\"$A\"]}"
	mark
	REQ_PATH=/sessions/$SID req -u "$AUTH_USER:$AUTH_PASS" -X POST \
		-H 'Content-Type: application/x-www-form-urlencoded' --data 'friendlyName=x'
	expect_error 415 unsupported_media_type
	verify
	nothing_sent
}

@test "POST /sessions/{id} of an unknown session is 404 session_not_found and changes nothing" {
	mark
	api POST "/sessions/$NOSUCH" '{"friendlyName":"x"}'
	expect_error 404 session_not_found
	verify
	[ "$(conversation_count)" = 0 ]
}

@test "POST /sessions/{id} of friendlyName only: one round trip, the update and the participants together" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	mark
	latency 200
	api POST "/sessions/$SID" '{"friendlyName":"Quick"}'
	latency 0
	ok 200
	since | jq -e --arg p "/v1/Conversations/$SID" '(map({method, path}) | sort_by(.path)) ==
		[{method: "POST", path: $p}, {method: "GET", path: ($p + "/Participants")}] and
		((.[1].t - .[0].t) | fabs < 0.15)'
}

@test "POST /sessions/{id} touching attributes, ttl or mode: two round trips, fetch with participants, then the update" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	for change in '{"attributes":{"x":1}}' '{"ttl":7200}' '{"mode":"voice-only"}'; do
		mark
		latency 200
		api POST "/sessions/$SID" "$change"
		latency 0
		ok 200
		since | jq -e --arg p "/v1/Conversations/$SID" '(.[0:2] | map({method, path}) | sort_by(.path)) ==
			[{method: "GET", path: $p}, {method: "GET", path: ($p + "/Participants")}] and
			(.[2:] | map({method, path})) == [{method: "POST", path: $p}] and
			((.[1].t - .[0].t) | fabs < 0.15) and (.[2].t - ([.[0].t, .[1].t] | max)) >= 0.19' ||
			{ echo "$change"; since; return 1; }
	done
}

@test "DELETE /sessions/{id}: 204 with no body, the conversation is gone; again 404" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	api DELETE "/sessions/$SID"
	ok 204
	# No body, and so no Content-Type.
	[ -z "$body" ] && [ -z "$ctype" ]
	[ "$(conversation_count)" = 0 ]
	api DELETE "/sessions/$SID"
	expect_error 404 session_not_found
	api GET "/sessions/$SID"
	expect_error 404 session_not_found
	verify
}

@test "DELETE /sessions/{uniqueName} deletes that session only" {
	mk "{\"addresses\":[\"$A\"],\"uniqueName\":\"ride-42\"}"
	mk "{\"addresses\":[\"$B\"],\"uniqueName\":\"ride-43\"}"
	api DELETE /sessions/ride-42
	ok 204
	fake_get state | jq -e '[.conversations[].unique_name] == ["ride-43"]'
}

@test "PUT /sessions/{id} is 405 with Allow GET, POST, DELETE; an unknown sub-path is 404; both JSON" {
	mk "{\"addresses\":[\"$A\"]}"
	mark
	api PUT "/sessions/$SID" '{"friendlyName":"x"}'
	expect_error 405 method_not_allowed
	for m in GET POST DELETE; do [[ ",$allow," =~ [,\ ]$m[,\ ] ]] || { echo "Allow: $allow"; return 1; }; done
	api GET "/sessions/$SID/nonsense"
	expect_error 404 not_found
	verify
	nothing_sent
}

@test "every new route without credentials is 401 and sends nothing" {
	mk "{\"addresses\":[\"$A\"]}"
	mark
	for mp in "GET /sessions" "GET /sessions?address=%2B14155551234" "GET /sessions/$SID" \
		"POST /sessions/$SID" "DELETE /sessions/$SID" "GET /sessions/$SID/participants" \
		"POST /sessions/$SID/participants" "DELETE /sessions/$SID/participants/$B" \
		"POST /sessions/$SID/messages" "GET /sessions/$SID/messages" \
		"POST /sessions/$SID/participants/$A/messages"; do
		data=(-H 'Content-Type: application/json' --data-binary '{"body":"x"}')
		[ "${mp%% *}" = POST ] || data=()
		REQ_PATH=${mp#* } req -X "${mp%% *}" "${data[@]}"
		CASE=$mp expect_error 401 unauthorized
	done
	verify
	nothing_sent
	[ "$(conversation_count)" = 1 ]
}

@test "Twilio failing on the fetch: 502 twilio_error, and the next request is served" {
	mk "{\"addresses\":[\"$A\",\"$B\"]}"
	fault '{"method":"GET","path":"/v1/Conversations/CH","status":500,"times":-1}'
	api GET "/sessions/$SID"
	expect_error 502 twilio_error
	verify
	curl -sf -X DELETE "$FAKE_URL/_fake/faults" >/dev/null
	api GET "/sessions/$SID"
	ok 200
	jq -e --arg s "$SID" '.sid == $s and (.participants | length) == 2' <<<"$body"
}
