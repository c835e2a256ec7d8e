# Shared by the .bats files: one fake Twilio and one lighttpd per file.

# The harness, its crash detector watching the programs' processes
# (WATCH_PROGRAMS; `make run`, which sources it too, is not watched: Ctrl-C
# stops its programs with the rest).
load_harness() {
	source "$BATS_TEST_DIRNAME/../lib/harness.bash"
	source "$BATS_TEST_DIRNAME/../lib/openapi.bash"
	WATCH_PROGRAMS=1
}

# setup_file for a .bats file; extra env lines as arguments.
start_stack() {
	load_harness
	export WORK="$BATS_FILE_TMPDIR"
	start_fake
	write_env "$@"
	# SERVER: lighttpd (default), nginx-systemd, nginx-spawnfcgi,
	# apache-fcgid, apache-cgi (tests/lib/servers.bash).
	start_server "${SERVER:-lighttpd}"
	export FAKE_URL BASE_URL ENV_FILE FAKE_PID LIGHTTPD_PID WORK SERVER_PIDS
}

# Also holds every answer /sessions gave (req, api) to openapi.yaml.
stop_stack() {
	local rc=0
	load_harness
	stop_server
	stop_all
	check_reports || rc=1
	openapi_verify || rc=1
	return "$rc"
}

# setup and teardown of a file whose tests each start their own servers:
# a fake Twilio and an env file per test.
own_servers_setup() {
	load_harness
	export WORK="$BATS_TEST_TMPDIR"
	SERVER_PIDS=
	start_fake
	write_env
}

own_servers_teardown() {
	stop_server
	stop_all
	check_reports
}

# Per test: a clean fake; and the programs running now noted, for the crash
# detector (tests/lib/harness.bash) to see if any of them dies.
reset_fake() {
	note_programs
	curl -sf -X POST "$FAKE_URL/_fake/reset" >/dev/null
}

fake_get() { curl -sf "$FAKE_URL/_fake/$1"; }

# fault JSON: appends fault rules to the fake.
fault() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data "{\"faults\": [$1]}" "$FAKE_URL/_fake/faults" >/dev/null
}

fake_seed() {
	curl -sf -X POST -H 'Content-Type: application/json' --data "$1" \
		"$FAKE_URL/_fake/seed"
}

# req [curl args...]: POST /sessions with exactly those arguments (no
# default auth or type); sets $status_code, $ctype, $challenge (the
# WWW-Authenticate header) and $body. REQ_PATH: another path below the
# base URL ("/sessions/CH.../participants", query included).
req() {
	local out method=POST a prev=
	out=$(curl -s -o - -w '\n%{content_type}\n%header{www-authenticate}\n%header{allow}\n%header{cache-control}\n%{http_code}' \
		"$@" "$BASE_URL${REQ_PATH:-/sessions}")
	status_code=${out##*$'\n'}
	out=${out%$'\n'*}
	cache=${out##*$'\n'}
	out=${out%$'\n'*}
	allow=${out##*$'\n'}
	out=${out%$'\n'*}
	challenge=${out##*$'\n'}
	out=${out%$'\n'*}
	ctype=${out##*$'\n'}
	body=${out%$'\n'*}
	for a in "$@"; do
		[ "$prev" = -X ] && method=$a
		prev=$a
	done
	# Every answer of the program's is held to openapi.yaml (stop_stack).
	# The program's carry Cache-Control: no-store; the web server's own
	# (its 413 over its limit, its 502 for a worker killed on purpose) do
	# not, and are not the program's to describe.
	[ "$status_code" = 000 ] || [ "$cache" != no-store ] ||
		openapi_record "$method" "${REQ_PATH:-/sessions}" \
		"$status_code" "$ctype" "$body" \
		${challenge:+"WWW-Authenticate: $challenge"} ${allow:+"Allow: $allow"}
}

# api METHOD PATH [JSON] [curl args...]: METHOD on PATH (below the base
# URL, query included) with the right credentials, JSON as the body
# ("-": none); sets what req sets, and $allow.
api() {
	local method="$1" path="$2" json="${3:--}"
	shift 2
	[ $# -gt 0 ] && shift
	if [ "$json" = - ]; then
		REQ_PATH=$path req -u "$AUTH_USER:$AUTH_PASS" -X "$method" "$@"
	else
		REQ_PATH=$path req -u "$AUTH_USER:$AUTH_PASS" -X "$method" \
			-H 'Content-Type: application/json' --data-binary "$json" "$@"
	fi
}

# post_session JSON [curl args...]: POST /sessions with the right credentials
# and type; sets what req sets.
post_session() {
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

# The session's half-made conversation was deleted: none is left, and the
# product sent exactly one DELETE, which Twilio answered 204.
deleted_once() {
	[ "$(conversation_count)" = 0 ] || { fake_get state >&2; return 1; }
	fake_get requests | jq -e '[.[] | select(.method == "DELETE") | .status] == [204]' >/dev/null || {
		fake_get requests >&2; return 1; }
}

# Form parameters of the product's requests: METHOD PATH-REGEX -> JSON array.
forms() {
	fake_get requests | jq -c --arg m "$1" --arg p "$2" '[.[] | select(.method == $m and (.path | test($p))) | .form]'
}

# signature TOKEN URL NAME=VALUE...: the X-Twilio-Signature Twilio would send.
signature() { "$PY" -S "$BATS_TEST_DIRNAME/../lib/sign.py" "$@"; }

# webhook PATH NAME=VALUE... [-- CURL-ARGS...]: the form POSTed to PATH as
# Twilio sends it, signed with the auth token over https://$DOMAIN$PATH; sets
# $status_code, $ctype, $body and $ms (the time it took). For one call:
# SIGN_TOKEN signs with another token, SIGN_URL over another URL; SIGNATURE
# is sent instead of the signature ("-": no header at all); HOOK_BASE is
# where it is sent instead of $BASE_URL. CURL-ARGS go to curl as they are.
webhook() {
	local path="$1" params=() args=() kv sig out
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do params+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	for kv in "${params[@]}"; do args+=(--data-urlencode "$kv"); done
	if [ -n "${SIGNATURE+set}" ]; then
		sig=$SIGNATURE
	else
		sig=$(signature "${SIGN_TOKEN:-$AUTH_TOKEN}" "${SIGN_URL:-https://$DOMAIN$path}" "${params[@]}")
	fi
	[ "$sig" = - ] || args+=(-H "X-Twilio-Signature: $sig")
	out=$(curl -s -o - -w '\n%{content_type}\n%{time_total}\n%{http_code}' "${args[@]}" "$@" \
		"${HOOK_BASE:-$BASE_URL}$path")
	status_code=${out##*$'\n'}
	out=${out%$'\n'*}
	ms=$(awk -v t="${out##*$'\n'}" 'BEGIN { printf "%d", t * 1000 }')
	out=${out%$'\n'*}
	ctype=${out##*$'\n'}
	body=${out%$'\n'*}
}

# seed STATE ADDRESS/PROXY...: one conversation in the fake, in STATE, with
# those SMS participants; prints its SID.
seed() {
	local state="$1" p parts="" out
	shift
	for p in "$@"; do parts+="{\"address\":\"${p%%/*}\",\"proxy_address\":\"${p#*/}\"},"; done
	out=$(fake_seed "{\"conversations\":[{\"state\":\"$state\",\"participants\":[${parts%,}]}]}")
	[[ "$out" =~ \"sids\":\ \[\"(CH[0-9a-f]{32})\"\] ]] || { echo "seed: $out" >&2; return 1; }
	echo "${BASH_REMATCH[1]}"
}

# TwiML as the programs answer it with the default messages.
XML='<?xml version="1.0" encoding="UTF-8"?>'
CONNECTING='Please wait while we connect your call.'
OUT_OF_SESSION='This number is not connected to an active session. Goodbye.'
APOLOGY='Sorry, we cannot connect your call right now. Please try again later.'
say() { echo "<Say>$1</Say>"; }
twiml() { echo "$XML<Response>$1</Response>"; }
# dial CALLER-ID NUMBER: the caller put through to NUMBER.
dial() { twiml "$(say "$CONNECTING")<Dial callerId=\"$1\"><Number>$2</Number></Dial>"; }

# expect_twiml DOCUMENT: the last webhook's answer is 200 text/xml DOCUMENT.
expect_twiml() {
	[ "$status_code" = 200 ] || { echo "status $status_code: $body"; return 1; }
	[ "$ctype" = text/xml ] || { echo "content type $ctype"; return 1; }
	[ "$body" = "$1" ] || { printf 'got:  %s\nwant: %s\n' "$body" "$1"; return 1; }
}

# How many conversations the fake holds.
conversation_count() { fake_get state | jq '.conversations | length'; }

# operator_stack SECRET ENV...: setup_file of a suite with the operator's
# backend: it (start_operator), then the stack with the env lines, in which
# {OP} stands for the backend's URL.
operator_stack() {
	local secret=$1 kv env=()
	shift
	load_harness
	export WORK="$BATS_FILE_TMPDIR"
	start_operator "$secret"
	export OP_URL
	for kv in "$@"; do env+=("${kv//\{OP\}/$OP_URL}"); done
	start_stack "${env[@]}"
}

# teardown_file of such a suite.
operator_stack_stop() {
	local rc=0
	stop_stack || rc=1
	stop_operator
	return "$rc"
}

# The operator's backend (operator_stack): what it got, its knobs, and
# what it answers on a path (op_answer PATH STATUS BODY-JSON).
op_requests() { curl -sf "$OP_URL/_op/requests"; }
op_config() { curl -sf -X POST -H 'Content-Type: application/json' --data "$1" "$OP_URL/_op/config" >/dev/null; }
op_answer() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data "{\"path\": \"$1\", \"status\": $2, \"body\": $3}" \
		"$OP_URL/_op/answer" >/dev/null
}

# setup of a suite that sends texts with the operator in the loop.
text_setup() {
	load_harness
	reset_fake
	fake_webhooks
	curl -sf -X POST "$OP_URL/_op/reset" >/dev/null
}

# fake_webhooks: the fake Twilio sends its Conversations webhooks (a text
# through POST /_fake/sms) to this stack, signed for https://DOMAIN as
# Twilio would call it.
fake_webhooks() {
	curl -sf -X POST -H 'Content-Type: application/json' --data \
		"{\"pre_url\": \"$BASE_URL/conversations-pre-event\", \"post_url\": \"$BASE_URL/conversations-post-event\", \"signed_base\": \"https://$DOMAIN\"}" \
		"$FAKE_URL/_fake/webhooks" >/dev/null
}

# sms FROM TO BODY: a text as Twilio receives it; sets $out (the fake's
# account of it: pre-event's answer, the message added or null).
sms() {
	out=$(jq -n --arg f "$1" --arg t "$2" --arg b "$3" '{from: $f, to: $t, body: $b}' |
		curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- \
		"$FAKE_URL/_fake/sms") || { echo "sms refused: $out"; return 1; }
}

# delivered BODY: the last text (sms) was let in, with exactly BODY.
delivered() {
	echo "$out" | jq -e --arg b "$1" '.added.body == $b' >/dev/null || {
		echo "want delivered: $1"; echo "got: $out"; return 1; }
}

# dropped REASON: the last text (sms) was stopped (403 naming REASON), and
# no message was added.
dropped() {
	echo "$out" | jq -e --arg r "$1" '.added == null and .pre.status == 403 and
		(.pre.body | contains($r))' >/dev/null || {
		echo "want dropped ($1), got: $out"; return 1; }
	[ "$(fake_get state | jq '[.conversations[].messages[]] | length')" = 0 ]
}
