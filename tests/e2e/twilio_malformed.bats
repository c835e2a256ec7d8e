#!/usr/bin/env bats
# Twilio answering nonsense: for every request the programs make (conversation
# create, ParticipantConversations list, participant add, conversation fetch by
# unique name, Participants list, call create, conversation DELETE), the
# fake's "body" rule answers JSON null (or a wrong type) in each field the
# programs read, top-level values that are not objects, non-JSON, nothing,
# and JSON nested far too deep. Each request still gets a clear answer: a
# 502-type JSON error for /sessions (or the session, where the nonsense is
# harmless), TwiML the caller hears for /inbound-call, text for post-event;
# no conversation is left behind by a session reported as failed, and the
# next normal request works (the worker did not die).
# e2e: once (Twilio's answers are our HTTP client's affair, not the web server's)

load helpers

setup_file() {
	# Fewer, shorter retries than the harness's: the retried nonsense is
	# retried all the same, in less time.
	start_stack RETRY_MAX_ATTEMPTS=2 RETRY_MAX_TIMEOUT_MS=50
	local d="$BATS_FILE_TMPDIR/bodies"
	mkdir -p "$d"
	# Malformed whatever the request: files, as some are too long for an
	# argument.
	printf '<html>oops</html>' >"$d/html"
	: >"$d/empty"
	printf '[]' >"$d/array"
	printf '[{"sid":"CH00000000000000000000000000000000"}]' >"$d/array-of-object"
	printf 'null' >"$d/null"
	printf '"CH00000000000000000000000000000000"' >"$d/string"
	printf '42' >"$d/number"
	printf '{"sid": "CH12' >"$d/truncated"
	printf '{"sid":"CH00000000000000000000000000000000"} trailing' >"$d/trailing"
	printf '\x00\xff\xfe{"\x00":1}' >"$d/binary"
	"$PY" -c 'import sys; sys.stdout.write("{\"a\":" * 5000 + "1" + "}" * 5000)' >"$d/deep-object"
	"$PY" -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)' >"$d/deep-array"
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

S='{"addresses":["+14155551234","+12125551234"]}'
A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234 PC=+16045550100
ANY_SID=CH00000000000000000000000000000000
GENERIC="html empty array array-of-object null string number truncated trailing binary deep-object deep-array"

XML='<?xml version="1.0" encoding="UTF-8"?>'
APOLOGY="$XML<Response><Say>Sorry, we cannot connect your call right now. Please try again later.</Say></Response>"
NO_SESSION="$XML<Response><Say>This number is not connected to an active session. Goodbye.</Say></Response>"
DIAL_B="$XML<Response><Say>Please wait while we connect your call.</Say><Dial callerId=\"$PB\"><Number>$B</Number></Dial></Response>"

# answer_with METHOD PATH STATUS COMMIT TEXT|@FILE: from now on, every request
# matching METHOD and PATH (a regex) is answered STATUS with the body TEXT
# (or FILE's content) instead of Twilio's; with COMMIT true the real operation
# runs first (Twilio did it, then said nonsense).
answer_with() {
	local body="$5" rule
	if [[ "$body" == @* ]]; then
		rule=$(jq -nc --arg m "$1" --arg p "$2" --argjson s "$3" --argjson c "$4" \
			--rawfile b "${body#@}" \
			'{method: $m, path: $p, status: $s, commit: $c, body: $b, times: -1}')
	else
		rule=$(jq -nc --arg m "$1" --arg p "$2" --argjson s "$3" --argjson c "$4" \
			--arg b "$body" \
			'{method: $m, path: $p, status: $s, commit: $c, body: $b, times: -1}')
	fi
	printf '{"faults": [%s]}' "$rule" >"$BATS_TEST_TMPDIR/rule.json"
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/rule.json" "$FAKE_URL/_fake/faults" >/dev/null
}

# The fake's state, faults and log cleared between cases.
clean() { reset_fake; }

# each FUNCTION BODY...: FUNCTION BODY for each BODY (its text, or the name of
# a file of $BATS_FILE_TMPDIR/bodies), every one of them even after a failure;
# fails naming each that failed. FUNCTION sets CASE and returns non-zero on
# failure, having said why.
each() {
	local f="$1" b bad=()
	shift
	for b in "$@"; do
		# shellcheck disable=SC2086 # FUNCTION and its leading arguments
		$f "$b" || bad+=("$b")
	done
	[ ${#bad[@]} = 0 ] || { echo "${#bad[@]} of $# cases failed" >&2; return 1; }
}

# body_arg BODY: the answer_with argument for BODY: @file for a name of
# $BATS_FILE_TMPDIR/bodies, else the text.
body_arg() {
	if [ -f "$BATS_FILE_TMPDIR/bodies/$1" ]; then
		echo "@$BATS_FILE_TMPDIR/bodies/$1"
	else
		printf '%s' "$1"
	fi
}

# ------------------------------------------------------------------- /sessions

# A failed session: 502, twilio_error or twilio_unreachable with a message,
# nothing left behind.
failed_cleanly() {
	local n
	if [ "$status_code" != 502 ] ||
	    ! echo "$body" | jq -e '(.error == "twilio_error" or .error == "twilio_unreachable")
		and (.message | type == "string" and length > 0)' >/dev/null 2>&1; then
		echo "$CASE: expected 502 twilio_error/twilio_unreachable, got $status_code: ${body:0:300}" >&2
		return 1
	fi
	n=$(conversation_count)
	[ "$n" = 0 ] || { echo "$CASE: 502 but $n conversation(s) left behind; the answer: ${body:0:300}" >&2; return 1; }
}

# Either the session (the nonsense was harmless: 200, each person with a
# pool number, the conversation kept) or a clean failure as above.
ok_or_failed_cleanly() {
	local n
	if [ "$status_code" = 200 ]; then
		echo "$body" | jq -e '(.sid | test("^CH[0-9a-f]{32}$")) and (.participants | length == 2)
			and all(.participants[]; .proxyAddress | test("^\\+[0-9]+$"))' >/dev/null 2>&1 || {
			echo "$CASE: a 200 that is not a session: ${body:0:300}" >&2; return 1; }
		n=$(conversation_count)
		[ "$n" = 1 ] || { echo "$CASE: 200 but $n conversations" >&2; return 1; }
		return 0
	fi
	failed_cleanly
}

# run_session: one session, answered within the deadline (4 s) plus the
# clean-up's grace (5 s).
run_session() {
	local t0=$SECONDS
	post_session "$S" -m 15
	[ $((SECONDS - t0)) -lt 11 ] || { echo "$CASE: took $((SECONDS - t0)) s" >&2; return 1; }
}

# The next normal session still works: the worker survived.
session_still_works() {
	clean
	post_session "$S" -m 15
	[ "$status_code" = 200 ] && [ "$(conversation_count)" = 1 ] ||
		{ echo "after $CASE: a normal session got $status_code: ${body:0:300}" >&2; return 1; }
	clean
}

# create_case BODY: Twilio makes the conversation and answers BODY; the
# session fails cleanly (the conversation found by its unique name and
# deleted), and the next one works. The other *_case functions are alike.
create_case() {
	CASE="create answered $1"
	clean
	answer_with POST '^/v1/Conversations$' 201 true "$(body_arg "$1")"
	run_session && failed_cleanly
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: the create answered with nonsense (Twilio made it) -> 502, the conversation deleted" {
	each create_case $GENERIC '{}' '{"sid":null}' '{"sid":5}' '{"sid":true}' \
	    '{"sid":{"sid":"x"}}' '{"sid":["CH"]}' '{"sid":""}' '{"sid":"CH123"}' \
	    '{"sid":"CH0123456789abcdef0123456789abcdeg"}' '{"sid":"../../2010-04-01/Accounts"}' \
	    '{"sid":"CH00000000000000000000000000000000/Participants"}'
}

lookup_case() {
	CASE="look-up answered $1"
	clean
	answer_with GET '^/v1/ParticipantConversations$' 200 false "$(body_arg "$1")"
	run_session && failed_cleanly
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: the ParticipantConversations look-up answered with nonsense -> 502, nothing left" {
	each lookup_case $GENERIC '{}' '{"conversations":null}' '{"conversations":{}}' \
	    '{"conversations":"x"}' '{"conversations":5}' \
	    '{"conversations":{"0":{"conversation_state":"active"}}}'
}

lookup_items_case() {
	CASE="look-up answered $1"
	clean
	answer_with GET '^/v1/ParticipantConversations$' 200 false "$1"
	run_session && ok_or_failed_cleanly
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: look-up items with null or wrong types in each field read -> the session or 502, never a crash" {
	each lookup_items_case \
	    '{"conversations":[null,"x",5,true,[],{}],"meta":null}' \
	    '{"conversations":[{"conversation_state":null,"participant_messaging_binding":{"proxy_address":"+14155550100"}}]}' \
	    '{"conversations":[{"conversation_state":null,"participant_messaging_binding":null}]}' \
	    '{"conversations":[{"conversation_state":5,"participant_messaging_binding":{"proxy_address":"+14155550100"}}]}' \
	    '{"conversations":[{"conversation_state":{},"participant_messaging_binding":{"proxy_address":"+12125550100"}}]}' \
	    '{"conversations":[{"conversation_state":"active","participant_messaging_binding":"x"}]}' \
	    '{"conversations":[{"conversation_state":"active","participant_messaging_binding":[1]}]}' \
	    '{"conversations":[{"conversation_state":"active","participant_messaging_binding":{"proxy_address":null}}]}' \
	    '{"conversations":[{"conversation_state":"active","participant_messaging_binding":{"proxy_address":5}}]}' \
	    '{"conversations":[{"conversation_state":"active","participant_messaging_binding":{"proxy_address":{"a":1}}}]}' \
	    '{"conversations":[{"conversation_sid":null,"chat_service_sid":null,"participant_sid":null}]}' \
	    '{"conversations":[],"meta":null}' \
	    '{"conversations":[],"meta":"x"}' \
	    '{"conversations":[],"meta":[]}' \
	    '{"conversations":[],"meta":{"next_page_url":null}}' \
	    '{"conversations":[],"meta":{"next_page_url":5}}' \
	    '{"conversations":[],"meta":{"next_page_url":{}}}' \
	    '{"conversations":[],"meta":{"next_page_url":["x"]}}' \
	    '{"conversations":[],"meta":{"next_page_url":""}}' \
	    '{"conversations":[],"meta":{"next_page_url":"not a url"}}' \
	    '{"conversations":[],"meta":{"next_page_url":"http://evil.example.com/v1/ParticipantConversations"}}'
}

@test "sessions: a look-up whose next_page_url leads back to itself forever -> 502, nothing left" {
	lookup_case "$(jq -nc --arg u "$FAKE_URL/v1/ParticipantConversations?Address=%2B14155551234&PageSize=50" \
		'{conversations: [], meta: {next_page_url: $u}}')"
}

add_case() {
	CASE="participant add answered $1"
	clean
	answer_with POST '/Participants$' 201 true "$(body_arg "$1")"
	run_session && case $1 in
		# No JSON object at all: a failure, not a participant.
		html|array|array-of-object|null|string|number|truncated|trailing|binary|deep-*)
			failed_cleanly ;;
		*)	ok_or_failed_cleanly ;;
	esac
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: the participant add answered with nonsense (Twilio added it) -> the session or 502, nothing left" {
	each add_case $GENERIC '{}' '{"sid":null}' '{"sid":5}' '{"sid":{}}' '{"sid":"MB1"}' \
	    '{"sid":null,"messaging_binding":null,"attributes":null,"conversation_sid":null}' \
	    '{"messaging_binding":{"proxy_address":null,"address":5}}'
}

# The create fails with a 500 before making anything: whether it made the
# conversation is unknown, so the programs fetch it by its unique name, and
# that answer is nonsense.
fetch_case() {
	CASE="fetch by unique name answered $1"
	clean
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data '{"faults":[{"method":"POST","path":"^/v1/Conversations$","status":500,"times":-1}]}' \
		"$FAKE_URL/_fake/faults" >/dev/null
	answer_with GET '^/v1/Conversations/[^/]+$' 200 false "$(body_arg "$1")"
	run_session && failed_cleanly
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: the fetch by unique name after a failed create answered with nonsense -> 502, nothing left" {
	each fetch_case $GENERIC '{}' '{"sid":null}' '{"sid":5}' '{"sid":"CH123"}' \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":null}" \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":5}" \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":{}}" \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":\"yesterday\"}" \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":\"\"}" \
	    "{\"sid\":\"$ANY_SID\",\"date_created\":\"2026-13-45T99:99:99Z\"}" \
	    "{\"sid\":\"$ANY_SID\",\"unique_name\":null,\"date_created\":null,\"state\":null}"
}

# The create made the conversation and failed; the first fetch by unique
# name is nonsense, the retry Twilio's truth: the conversation is deleted.
fetch_once_case() {
	CASE="fetch by unique name answered $1 once"
	clean
	jq -nc --rawfile b "$BATS_FILE_TMPDIR/bodies/$1" '{faults: [
		{method: "POST", path: "^/v1/Conversations$", status: 500, commit: true, times: 1},
		{method: "GET", path: "^/v1/Conversations/[^/]+$", status: 200, body: $b, times: 1}]}' \
		>"$BATS_TEST_TMPDIR/rules.json"
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/rules.json" "$FAKE_URL/_fake/faults" >/dev/null
	run_session && failed_cleanly
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: a fetch by unique name that is nonsense once is retried, and the made conversation deleted" {
	each fetch_once_case html empty truncated deep-array
}

# Twilio refuses a participant, so the conversation is deleted; Twilio
# deletes it, and answers nonsense.
cleanup_delete_case() {
	CASE="clean-up DELETE answered $1"
	clean
	curl -sf -X POST -H 'Content-Type: application/json' --data '{"faults":[
		{"method":"POST","path":"/Participants$","status":400,"code":21211,"message":"bad","times":-1}]}' \
		"$FAKE_URL/_fake/faults" >/dev/null
	answer_with DELETE '^/v1/Conversations/' 200 true "$(body_arg "$1")"
	run_session && {
		[ "$status_code" = 400 ] &&
		    echo "$body" | jq -e '.error == "twilio_rejected" and .twilioCode == 21211' >/dev/null 2>&1 ||
		    { echo "$CASE: expected 400 twilio_rejected, got $status_code: ${body:0:300}" >&2; false; }
	} && {
		[ "$(conversation_count)" = 0 ] || { echo "$CASE: left behind" >&2; false; }
	}
	local rc=$?
	session_still_works && return $rc
}

@test "sessions: the clean-up DELETE answered with nonsense (Twilio deleted it) -> Twilio's refusal, nothing left" {
	each cleanup_delete_case $GENERIC '{}' '{"sid":null}' '{"code":null,"message":null}'
}

# ---------------------------------------------------------------- /inbound-call

# expect_twiml DOC...: 200, text/xml, and the body one of the DOCs.
expect_twiml() {
	local d
	if [ "$status_code" = 200 ] && [ "$ctype" = text/xml ]; then
		for d in "$@"; do
			[ "$body" = "$d" ] && return 0
		done
	fi
	echo "$CASE: got $status_code ($ctype): ${body:0:300}" >&2
	return 1
}

# call: the caller A dials PA, signed; sets status_code, ctype, body.
call() { webhook /inbound-call From="$A" Called="$PA" To="$PA" -- -m 15; }

# The next normal call is still connected: the worker survived.
call_still_works() {
	clean
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call
	CASE="after $CASE" expect_twiml "$DIAL_B" || return 1
	clean
}

# with_sid BODY SID: BODY with "SID", "A", "PA", "B", "PB", "C" replaced.
with_sid() {
	local b="$1"
	b=${b//\"SID\"/\"$2\"}
	b=${b//\"PA\"/\"$PA\"}
	b=${b//\"PB\"/\"$PB\"}
	b=${b//\"B\"/\"$B\"}
	b=${b//\"C\"/\"$C\"}
	printf '%s' "$b"
}

# inbound_case WHICH HOW BODY: A calls PA while Twilio answers WHICH (look-up:
# the ParticipantConversations list; participants: the conversation's
# participants) with BODY. HOW "nonsense": BODY (a name of $GENERIC or a text)
# leaves only the apology; HOW "items": BODY, its "SID", "PA"... filled in,
# may connect, be out of session or the apology.
inbound_case() {
	local which=$1 how=$2 sid path rc
	CASE="inbound $which answered $3"
	clean
	sid=$(seed active "$A/$PA" "$B/$PB")
	case $which in
	look-up)	path='^/v1/ParticipantConversations$' ;;
	participants)	path="^/v1/Conversations/$sid/Participants\$" ;;
	esac
	if [ "$how" = nonsense ]; then
		answer_with GET "$path" 200 false "$(body_arg "$3")"
		call
		expect_twiml "$APOLOGY"
	else
		answer_with GET "$path" 200 false "$(with_sid "$3" "$sid")"
		call
		expect_twiml "$DIAL_B" "$NO_SESSION" "$APOLOGY"
	fi
	rc=$?
	call_still_works && return $rc
}

@test "inbound: the look-up answered with nonsense -> the apology" {
	each "inbound_case look-up nonsense" $GENERIC '{}' '{"conversations":null}' '{"conversations":{}}' \
	    '{"conversations":"x"}' \
	    "$(jq -nc --arg u "$FAKE_URL/v1/ParticipantConversations?Address=%2B14155551234&PageSize=50" \
		'{conversations: [], meta: {next_page_url: $u}}')"
}

@test "inbound: look-up items with null or wrong types -> connected, out of session or the apology" {
	each "inbound_case look-up items" \
	    '{"conversations":[null,"x",5,true,[],{}],"meta":null}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":null,"participant_messaging_binding":{"proxy_address":"PA"}}],"meta":null}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":5,"participant_messaging_binding":{"proxy_address":"PA"}}]}' \
	    '{"conversations":[{"conversation_sid":null,"conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}]}' \
	    '{"conversations":[{"conversation_sid":5,"conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}]}' \
	    '{"conversations":[{"conversation_sid":"CH123","conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}]}' \
	    '{"conversations":[{"conversation_sid":"../x","conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}]}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":null}]}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":"PA"}]}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":{"proxy_address":null}}]}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":{"proxy_address":5}}]}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}],"meta":{"next_page_url":5}}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}],"meta":{"next_page_url":{}}}' \
	    '{"conversations":[{"conversation_sid":"SID","conversation_state":"active","participant_messaging_binding":{"proxy_address":"PA"}}],"meta":"x"}'
}

@test "inbound: the participants list answered with nonsense -> the apology" {
	each "inbound_case participants nonsense" $GENERIC '{}' '{"participants":null}' '{"participants":{}}' \
	    '{"participants":"x"}'
}

@test "inbound: participants with null or wrong types -> connected, out of session or the apology" {
	each "inbound_case participants items" \
	    '{"participants":[null,"x",5,true,[],{}],"meta":null}' \
	    '{"participants":[{"messaging_binding":null},{"messaging_binding":"x"},{"messaging_binding":[]}]}' \
	    '{"participants":[{"messaging_binding":{"address":null,"proxy_address":"PB"}}]}' \
	    '{"participants":[{"messaging_binding":{"address":"B","proxy_address":null}}]}' \
	    '{"participants":[{"messaging_binding":{"address":5,"proxy_address":5,"type":5}}]}' \
	    '{"participants":[{"messaging_binding":{"address":"B","proxy_address":"PB","type":null}}],"meta":null}' \
	    '{"participants":[{"messaging_binding":{"address":"B","proxy_address":"PB","type":{}}}],"meta":{"next_page_url":5}}' \
	    '{"participants":[{"messaging_binding":{"address":"B","proxy_address":"PB"}},{"messaging_binding":{"address":"C","proxy_address":null}}]}'
}

inbound_calls_case() {
	CASE="conference call create answered $1"
	clean
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	answer_with POST '/Calls\.json$' 201 false "$(body_arg "$1")"
	call
	# The calls Twilio accepted (or seemed to) join the caller; none: the apology.
	if [ "$status_code" = 200 ] && [ "$ctype" = text/xml ] &&
	    [[ "$body" == "$XML<Response><Say>Please wait while we connect your call.</Say><Dial><Conference endConferenceOnExit=\"true\">+14155551234_at_"*"</Conference></Dial></Response>" ]]; then
		true
	else
		expect_twiml "$APOLOGY"
	fi
	local rc=$?
	call_still_works && return $rc
}

@test "inbound: the conference calls answered with nonsense -> the conference or the apology" {
	each inbound_calls_case $GENERIC '{}' '{"sid":null}' '{"sid":5,"status":null}'
}

# ----------------------------------------------------- /conversations-post-event

# close_event SID: the signed post-event of SID closing; sets status_code,
# ctype, body.
close_event() {
	webhook /conversations-post-event EventType=onConversationStateUpdated \
		StateTo=closed ConversationSid="$1" -- -m 15
}

# The next closing event still deletes: the worker survived.
event_still_works() {
	local sid
	clean
	sid=$(seed active "$A/$PA" "$B/$PB")
	close_event "$sid"
	[ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ] ||
		{ echo "after $CASE: $status_code $body" >&2; return 1; }
	clean
}

# Twilio deletes the conversation and answers nonsense: "deleted" (or
# "already deleted", once a retry is told 404), or 500 naming the failure
# (Twilio then retries the webhook); never a crash.
event_delete_case() {
	local sid
	CASE="post-event DELETE answered $1"
	clean
	sid=$(seed active "$A/$PA" "$B/$PB")
	answer_with DELETE '^/v1/Conversations/' 200 true "$(body_arg "$1")"
	close_event "$sid"
	{ [[ "$ctype" == text/plain* ]] && { { [ "$status_code" = 200 ] &&
		{ [ "$body" = "$sid deleted" ] || [ "$body" = "$sid already deleted" ]; }; } ||
		{ [ "$status_code" = 500 ] && [[ "$body" == "$sid failed to delete: "?* ]]; }; } ||
		{ echo "$CASE: got $status_code ($ctype): ${body:0:300}" >&2; false; }; } &&
	{ [ "$(conversation_count)" = 0 ] || { echo "$CASE: the conversation is still there" >&2; false; }; }
	local rc=$?
	event_still_works && return $rc
}

@test "post-event: the DELETE answered with nonsense (Twilio deleted it) -> deleted, or 500 naming the failure" {
	each event_delete_case $GENERIC '{}' '{"code":null,"message":null}' \
	    '{"code":"x","message":5,"status":null}'
}

# Twilio fails the DELETE with an error body that is nonsense: 500 naming
# the failure, and Twilio's retry of the webhook, once Twilio works, deletes.
event_error_case() {
	local sid
	CASE="post-event DELETE failed with $1"
	clean
	sid=$(seed active "$A/$PA" "$B/$PB")
	answer_with DELETE '^/v1/Conversations/' 503 false "$(body_arg "$1")"
	close_event "$sid"
	{ [ "$status_code" = 500 ] && [[ "$ctype" == text/plain* ]] &&
		[[ "$body" == "$sid failed to delete: "?* ]] ||
		{ echo "$CASE: got $status_code ($ctype): ${body:0:300}" >&2; false; }; } &&
	{ [ "$(conversation_count)" = 1 ] || { echo "$CASE: gone without a DELETE" >&2; false; }; } &&
	{ curl -sf -X DELETE "$FAKE_URL/_fake/faults" >/dev/null; close_event "$sid"
	  [ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ] ||
		{ echo "$CASE: the retry got $status_code $body" >&2; false; }; }
	local rc=$?
	event_still_works && return $rc
}

@test "post-event: an error answer to the DELETE that is nonsense -> 500 naming the failure, then the retry deletes" {
	each event_error_case $GENERIC '{"code":null,"message":null}' '{"code":{},"message":[]}' \
	    '{"code":"20404","message":"x","status":"404"}'
}
