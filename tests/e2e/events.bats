#!/usr/bin/env bats
# Events to the operator (SPEC §12), through the web server, with a real
# operator backend (tests/operator/operator.py) that checks every request
# with the README's recipe: each event of the three programs arrives signed
# with the right fields; a slow operator does not hold up /sessions; a
# failing one is retried within CALLBACK_TIMEOUT_MS, logged without secret
# or number, and post-event answers 500 so that Twilio's retry delivers the
# same event (same id); the recipes (deploy/operator/verify.py and
# verify.js) accept what was sent and refuse forged and replayed copies.

load helpers

SECRET='whsec-test-Zk3q9Vb7Lm2Xp5Rt'
BUDGET_MS=1000

setup_file() {
	export CALLBACK_SECRET="$SECRET"
	operator_stack "$SECRET" "CALLBACK_URL={OP}/events" "CALLBACK_SECRET=$SECRET" \
		"CALLBACK_TIMEOUT_MS=$BUDGET_MS"
}
teardown_file() { operator_stack_stop; }

setup() {
	load_harness
	reset_fake
	curl -sf -X POST "$OP_URL/_op/reset" >/dev/null
}

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234 PC=+16045550100

op() { curl -sf "$OP_URL/_op/requests"; }
# The bodies the operator got at /events, as a JSON array of events.
events() { op | jq -c '[.[] | select(.path == "/events") | .body | fromjson]'; }
# wait_events N: until the operator has N requests (5 s at most).
wait_events() {
	local i
	for i in $(seq 100); do
		[ "$(op | jq length)" -ge "$1" ] && return 0
		sleep 0.05
	done
	op >&2
	return 1
}
# Every request the operator got was signed, headers as SPEC §12 says.
all_signed() {
	op | jq -e 'length > 0 and all(.[]; .verdict == "good" and
		(.headers["x-masked-signature"] | test("^t=[0-9]+,v1=[0-9a-f]{64}$")) and
		.headers["content-type"] == "application/json" and
		(.headers["user-agent"] | startswith("masked/")) and
		(.headers | has("authorization") | not))' >/dev/null || { op >&2; return 1; }
}
# The shape every event has.
well_formed() {
	events | jq -e 'all(.[]; (.id | test("^EV[0-9a-f]{32}$")) and
		(.createdAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and
		(.type | type == "string") and (.data | type == "object") and has("sessionSid"))' >/dev/null ||
		{ events >&2; return 1; }
}
event() { webhook /conversations-post-event "$@"; }
# message SID INDEX: onMessageAdded of a message SID from B in session $sid.
message() {
	event EventType=onMessageAdded ConversationSid="$sid" MessageSid="$1" Index="$2" \
		Author="$B" Body=hi Source=SMS
}
# delivered_in N: the last post-event answered 200 delivered, and the
# operator has had N requests, all of one event.
delivered_in() {
	[ "$status_code" = 200 ] && [ "$body" = delivered ] &&
		[ "$(events | jq length)" = "$1" ] &&
		[ "$(events | jq '[.[].id] | unique | length')" = 1 ] || {
		echo "$status_code $body"; events; return 1; }
}
call() { webhook /inbound-call "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# recipe LANG HEADER BODYFILE [TOLERANCE [SECRET]]: the README's recipe in
# python or node says true or false.
recipe() {
	local lang=$1 header=$2 file=$3 tol=${4:-300} secret=${5:-$SECRET}
	if [ "$lang" = python ]; then
		"$PY" -c 'import sys; sys.path.insert(0, sys.argv[1])
from verify import verify
print(str(verify(sys.argv[2], sys.argv[3], open(sys.argv[4], "rb").read(), int(sys.argv[5]))).lower())' \
			"$TOP/deploy/operator" "$secret" "$header" "$file" "$tol"
	else
		node -e 'const { verify } = require(process.argv[1]);
const fs = require("fs");
console.log(String(verify(process.argv[2], process.argv[3], fs.readFileSync(process.argv[4]), Number(process.argv[5]))));' \
			"$TOP/deploy/operator/verify.js" "$secret" "$header" "$file" "$tol"
	fi
}

# ------------------------------------------------------------ each event

@test "session.created: the participants and names, signed, after the answer" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"friendlyName\":\"Ride 42\",\"uniqueName\":\"ride-42\"}"
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	wait_events 1
	all_signed
	well_formed
	events | jq -e --arg s "$sid" --argjson p "$(echo "$body" | jq -c .participants)" '
		length == 1 and .[0].type == "session.created" and .[0].sessionSid == $s and
		.[0].data == {participants: $p, friendlyName: "Ride 42", uniqueName: "ride-42"} and
		($p | length) == 2 and all($p[]; has("sid") and has("address") and has("proxyAddress"))'
}

@test "session.deleted from DELETE /sessions/{id}, by SID and by uniqueName" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"ride-43\"}"
	sid=$(echo "$body" | jq -r .sid)
	wait_events 1
	api DELETE "/sessions/$sid"
	[ "$status_code" = 204 ]
	wait_events 2
	events | jq -e --arg s "$sid" '.[1] | .type == "session.deleted" and .sessionSid == $s and .data.reason == "api"'
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"ride-44\"}"
	wait_events 3
	api DELETE /sessions/ride-44
	[ "$status_code" = 204 ]
	wait_events 4
	events | jq -e '.[3] | .type == "session.deleted" and .sessionSid == null and .data.uniqueName == "ride-44"'
	all_signed
	well_formed
}

@test "message.added: post-event delivers it before answering 200" {
	sid=$(seed active "$A/$PA" "$B/$PB")
	event EventType=onMessageAdded ConversationSid="$sid" MessageSid=IM0123456789abcdef0123456789abcdef \
		Index=3 Author="$A" Body='Hello, café <b>' ParticipantSid=MB0123456789abcdef0123456789abcdef \
		Source=SMS DateCreated=2026-12-06T04:00:00Z
	[ "$status_code" = 200 ] && [ "$body" = delivered ] || { echo "$status_code $body"; return 1; }
	# Delivered before the answer: already there.
	events | jq -e --arg s "$sid" --arg a "$A" 'length == 1 and .[0].type == "message.added" and
		.[0].sessionSid == $s and .[0].data.messageSid == "IM0123456789abcdef0123456789abcdef" and
		.[0].data.index == 3 and .[0].data.author == $a and .[0].data.body == "Hello, café <b>" and
		.[0].data.participantSid == "MB0123456789abcdef0123456789abcdef" and .[0].data.source == "SMS"'
	all_signed
	well_formed
	# Nothing asked of Twilio for a message.
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "session.closed then session.deleted when post-event deletes a closed conversation" {
	sid=$(seed closed "$A/$PA" "$B/$PB")
	event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=active StateTo=closed Reason=TIMER
	[ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ]
	events | jq -e --arg s "$sid" '[.[] | [.type, .sessionSid, .data.reason]] ==
		[["session.closed", $s, "TIMER"], ["session.deleted", $s, "closed"]]'
	all_signed
	well_formed
}

@test "call.connected: caller, callee and the proxy number, after the TwiML" {
	sid=$(seed active "$A/$PA" "$B/$PB")
	call From="$A" Called="$PA" To="$PA" CallSid=CA0123456789abcdef0123456789abcdef
	expect_twiml "$(dial "$PB" "$B")"
	wait_events 1
	events | jq -e --arg s "$sid" --arg a "$A" --arg b "$B" --arg pb "$PB" '
		length == 1 and .[0].type == "call.connected" and .[0].sessionSid == $s and
		.[0].data == {callSid: "CA0123456789abcdef0123456789abcdef", caller: $a, callee: $b, proxyAddress: $pb}'
	all_signed
	well_formed
}

@test "call.conference: the conference's name and every callee" {
	sid=$(seed active "$A/$PA" "$B/$PB" "$C/$PC")
	call From="$A" Called="$PA" CallSid=CA00000000000000000000000000000002
	[ "$status_code" = 200 ]
	name=$(echo "$body" | sed -n 's/.*<Conference[^>]*>\([^<]*\)<.*/\1/p')
	[ -n "$name" ]
	wait_events 1
	events | jq -e --arg s "$sid" --arg a "$A" --arg n "$name" --arg b "$B" --arg pb "$PB" --arg c "$C" --arg pc "$PC" '
		length == 1 and .[0].type == "call.conference" and .[0].sessionSid == $s and
		.[0].data.caller == $a and .[0].data.conference == $n and
		(.[0].data.callees | sort_by(.address)) == ([{address: $b, proxyAddress: $pb}, {address: $c, proxyAddress: $pc}] | sort_by(.address))'
	all_signed
}

@test "call.out_of_session: the caller and the number called" {
	call From="$C" Called="$PA" CallSid=CA00000000000000000000000000000003
	expect_twiml "$(twiml "$(say "$OUT_OF_SESSION")")"
	wait_events 1
	events | jq -e --arg c "$C" --arg p "$PA" '
		length == 1 and .[0].type == "call.out_of_session" and .[0].sessionSid == null and
		.[0].data == {callSid: "CA00000000000000000000000000000003", caller: $c, called: $p}'
	all_signed
}

@test "the same webhook delivered again makes the same event id" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	call From="$A" Called="$PA" CallSid=CA00000000000000000000000000000004
	call From="$A" Called="$PA" CallSid=CA00000000000000000000000000000004
	call From="$A" Called="$PA" CallSid=CA00000000000000000000000000000005
	wait_events 3
	events | jq -e '.[0].id == .[1].id and .[0].id != .[2].id'
}

# ------------------------------------------------------ a slow or failing operator

@test "a slow operator does not hold up the answer of POST /sessions" {
	op_config '{"delay_ms": 3000}'
	t0=$(now_ms)
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	took=$(( $(now_ms) - t0 ))
	[ "$status_code" = 200 ]
	echo "answered in $took ms (budget $BUDGET_MS ms)"
	# Under FastCGI the event goes after the request has ended; a plain
	# CGI process sends it before its answer, within the budget.
	if [ "${SERVER:-lighttpd}" = apache-cgi ]; then
		[ "$took" -lt $(( BUDGET_MS + 1500 )) ]
	else
		[ "$took" -lt "$BUDGET_MS" ]
	fi
	wait_events 1
	# The worker gave up at the budget, and said so.
	for i in $(seq 60); do
		grep -q 'session.created) not delivered' "$WORK/error.log" && break
		sleep 0.1
	done
	grep 'masked\[' "$WORK/error.log" | grep 'session.created) not delivered'
}

@test "a failing operator: retried, logged without secret or number, post-event 500, Twilio's retry delivers the same event" {
	op_config '{"status": 503}'
	sid=$(seed active "$A/$PA" "$B/$PB")
	args=(EventType=onMessageAdded ConversationSid="$sid" MessageSid=IM00000000000000000000000000000009
		Index=0 Author="$A" Body="call me on $B" Source=SMS)
	t0=$(now_ms)
	event "${args[@]}"
	took=$(( $(now_ms) - t0 ))
	[ "$status_code" = 500 ] || { echo "$status_code $body"; return 1; }
	[ "$body" = "events not delivered to the operator" ]
	# Retried within the budget: several attempts, one event id.
	n=$(events | jq length)
	echo "attempts: $n in $took ms"
	[ "$n" -ge 3 ]
	[ "$took" -lt $(( BUDGET_MS + 1000 )) ]
	[ "$(events | jq '[.[].id] | unique | length')" = 1 ]
	id=$(events | jq -r '.[0].id')
	all_signed
	# One line says so, without the secret, the body or a whole number.
	line=$(grep 'masked\[' "$WORK/error.log" | grep "event $id (message.added) not delivered")
	echo "$line"
	[[ "$line" == *"attempts: HTTP 503"* ]]
	if grep -F "$SECRET" "$WORK/error.log" ||
		grep 'masked\[' "$WORK/error.log" | grep -E '(\+|%2B)[0-9]{7,}' ||
		grep -F 'call me on' "$WORK/error.log"; then
		return 1
	fi
	# Twilio delivers the webhook again; the operator is back.
	op_config '{"status": 200}'
	event "${args[@]}"
	[ "$status_code" = 200 ] && [ "$body" = delivered ]
	events | jq -e --arg id "$id" '.[-1].id == $id and ([.[].id] | unique) == [$id]'
}

@test "an operator failing twice then answering: delivered in three attempts" {
	op_config '{"statuses": [500, 502]}'
	sid=$(seed active "$A/$PA" "$B/$PB")
	message IM00000000000000000000000000000010 1
	delivered_in 3
	all_signed
}

@test "an operator that hangs up or cannot be reached: retried, then post-event 500" {
	op_config '{"hangup": 2}'
	sid=$(seed active "$A/$PA" "$B/$PB")
	message IM00000000000000000000000000000011 2
	delivered_in 3
	op_config '{"hangup": 1000}'
	message IM00000000000000000000000000000012 3
	[ "$status_code" = 500 ]
	op_config '{"hangup": 0}'
}

@test "post-event's closing events that fail: 500 after deleting; Twilio's retry sends them again" {
	sid=$(seed closed "$A/$PA" "$B/$PB")
	op_config '{"status": 500}'
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 500 ] && [ "$body" = "$sid deleted, but events not delivered to the operator" ]
	[ "$(conversation_count)" = 0 ]
	closed_id=$(events | jq -r '.[0].id')
	op_config '{"status": 200}'
	curl -sf -X POST "$OP_URL/_op/reset" >/dev/null
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 200 ] && [ "$body" = "$sid already deleted" ]
	events | jq -e --arg id "$closed_id" '[.[].type] == ["session.closed", "session.deleted"] and .[0].id == $id'
}

# ------------------------------------------------------------ the recipe

@test "the README's recipes (Python and Node) accept a real event and refuse forged and replayed ones" {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	wait_events 1
	rec=$(op | jq -c '.[0]')
	header=$(echo "$rec" | jq -r '.headers["x-masked-signature"]')
	echo "$rec" | jq -j .body >"$BATS_TEST_TMPDIR/body"
	t=${header#t=}; t=${t%%,*}
	v1=${header#*v1=}
	# A copy with another body, and one signed with another secret.
	sed 's/session.created/session.deleted/' "$BATS_TEST_TMPDIR/body" >"$BATS_TEST_TMPDIR/tampered"
	other=$("$PY" -c 'import hmac, hashlib, sys
print(hmac.new(b"not-the-secret-0123456", sys.argv[1].encode() + b"." + open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' \
		"$t" "$BATS_TEST_TMPDIR/body")
	for lang in python node; do
		[ "$(recipe $lang "$header" "$BATS_TEST_TMPDIR/body")" = true ]
		# Rotation: another v1 beside the good one.
		[ "$(recipe $lang "t=$t,v1=$other,v1=$v1" "$BATS_TEST_TMPDIR/body")" = true ]
		[ "$(recipe $lang "$header" "$BATS_TEST_TMPDIR/tampered")" = false ]
		[ "$(recipe $lang "$header" "$BATS_TEST_TMPDIR/body" 300 not-the-secret-0123456)" = false ]
		[ "$(recipe $lang "t=$t,v1=$other" "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "t=$((t + 1)),v1=$v1" "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "t=$t" "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "v1=$v1" "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "t=$t,v1=$v1," "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "garbage" "$BATS_TEST_TMPDIR/body")" = false ]
		[ "$(recipe $lang "" "$BATS_TEST_TMPDIR/body")" = false ]
	done
	# A replay: the same request, once it is older than the tolerance
	# (1 s here; 300 s by default).
	sleep 2.1
	for lang in python node; do
		[ "$(recipe $lang "$header" "$BATS_TEST_TMPDIR/body" 1)" = false ]
		[ "$(recipe $lang "$header" "$BATS_TEST_TMPDIR/body" 300)" = true ]
	done
	# Sent to the operator, the forged copies are refused by its recipe.
	curl -s -o /dev/null -H "X-Masked-Signature: $header" -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/tampered" "$OP_URL/events"
	curl -s -o /dev/null -H "X-Masked-Signature: t=$t,v1=$other" -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/body" "$OP_URL/events"
	op | jq -e '[.[].verdict] == ["good", "forged", "forged"]'
}

@test "the README shows the recipes exactly as deploy/operator holds them" {
	local readme="$TOP/README.md"
	"$PY" - "$readme" "$TOP/deploy/operator" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sec = text.split("## Events to your backend", 1)[1].split("\n## ", 1)[0]
blocks = dict(re.findall(r"```(python|js)\n(.*?)```", sec, re.S))
for lang, name in (("python", "verify.py"), ("js", "verify.js")):
    want = open(sys.argv[2] + "/" + name).read()
    if blocks.get(lang) != want:
        sys.exit("README's %s block is not %s" % (lang, name))
PY
}
