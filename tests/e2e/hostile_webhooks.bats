#!/usr/bin/env bats
# Hostile input at every endpoint, webhooks included, through the web server
# of the pass: body sizes up to and past the programs' 64 KiB and each
# server's own limit, missing, bad and lying Content-Lengths, chunked bodies
# (valid and malformed), every content type, NUL bytes, bad %-escapes,
# thousands of fields, huge names, values and headers, repeated keys and
# headers, signed and unsigned. Each gets a clear refusal: the programs' own
# 4xx naming the problem (text for the webhooks, JSON for /sessions), or the
# web server's own 4xx where it answers first; never a 5xx, a dropped
# connection or a hang.
#
# Meanwhile correctly signed calls and post-events, and valid sessions, are
# in flight beside the corpus (started in setup_file, counted in the last
# test): every one of them must succeed with its normal answer, the workers
# serving at the start must be the ones serving at the end (none died), and
# nothing the hostile requests sent may have created anything at Twilio.

load helpers

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
IC=/inbound-call
PE=/conversations-post-event
PR=/conversations-pre-event
XML='<?xml version="1.0" encoding="UTF-8"?>'
DIAL_B="$XML<Response><Say>Please wait while we connect your call.</Say><Dial callerId=\"$PB\"><Number>$B</Number></Dial></Response>"
NO_SESSION="$XML<Response><Say>This number is not connected to an active session. Goodbye.</Say></Response>"
# The valid forms: a 1:1 call of A to PA (connected to B), an event that is
# not processed, an event pre-event lets through without a look.
IC_FORM='From=%2B14155551234&Called=%2B14155550100&To=%2B14155550100'
PE_FORM='EventType=onMessageAdded&ConversationSid=CH0123456789abcdef0123456789abcdef&MessageSid=IM0123456789abcdef0123456789abcdef'
PR_FORM='EventType=onConversationAdd&ConversationSid=CH0123456789abcdef0123456789abcdef&Source=API'

# What the programs' refusals must say (case-insensitive extended regexes).
TOOBIG_RE='64 KiB|too (large|big)'
BADLEN_RE='length'
BADFORM_RE='form|escape|NUL|field|pair|decod|malformed'
FIELDS_RE='field|pair'
FORBIDDEN_RE='^forbidden'

# The background: at most this many requests per loop, for at most this long.
BG_MAX=3000
BG_SECONDS=300

bodies() { echo "$BATS_FILE_TMPDIR/b"; }

# --------------------------------------------------------------- background

# bg_inbound LOG: correctly signed 1:1 calls, each of which must be connected.
bg_inbound() {
	local i out t0=$SECONDS sig
	sig=$("$PY" -S "$TOP/tests/lib/rawhttp.py" --sign-only "$AUTH_TOKEN" "https://$DOMAIN$IC" --data "$IC_FORM" x)
	for ((i = 0; i < BG_MAX && SECONDS - t0 < BG_SECONDS; i++)); do
		[ -e "$BG_STOP" ] && break
		out=$(curl -s -m 10 -o - -w '\n%{http_code}' -H "X-Twilio-Signature: $sig" \
			-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$IC_FORM" "$BASE_URL$IC")
		if [ "$out" = "$DIAL_B"$'\n200' ]; then echo ok; else echo "failed: ${out##*$'\n'}: ${out:0:100}"; fi
		sleep 0.05
	done >>"$1"
	echo end >>"$1"
}

# bg_events LOG SID...: correctly signed post-events: each SID closing (one
# in three events, answered "SID deleted"), the others not processed.
bg_events() {
	local log="$1" i out t0=$SECONDS sig form sid want
	shift
	for ((i = 0; i < BG_MAX && SECONDS - t0 < BG_SECONDS; i++)); do
		[ -e "$BG_STOP" ] && break
		if [ $((i % 3)) = 0 ] && [ $# -gt 0 ]; then
			sid=$1
			shift
			form="EventType=onConversationStateUpdated&StateTo=closed&ConversationSid=$sid"
			want="$sid deleted"
		else
			form=$PE_FORM
			want="not processed"
		fi
		sig=$("$PY" -S "$TOP/tests/lib/rawhttp.py" --sign-only "$AUTH_TOKEN" "https://$DOMAIN$PE" --data "$form" x)
		out=$(curl -s -m 10 -o - -w '\n%{http_code}' -H "X-Twilio-Signature: $sig" \
			--data-binary "$form" "$BASE_URL$PE")
		if [ "$out" = "$want"$'\n200' ]; then echo "ok $want"; else echo "failed: ${out##*$'\n'}: $want: ${out:0:100}"; fi
		sleep 0.1
	done >>"$log"
	echo end >>"$log"
}

# bg_sessions LOG: valid sessions, one a second, at most 8, for people nobody
# else uses.
bg_sessions() {
	local i out t0=$SECONDS
	for ((i = 0; i < 8 && SECONDS - t0 < BG_SECONDS; i++)); do
		[ -e "$BG_STOP" ] && break
		out=$(curl -s -m 15 -o - -w '\n%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
			-H 'Content-Type: application/json' \
			--data-binary "{\"addresses\":[\"+1415555$((3000 + i))\",\"+1212555$((3000 + i))\"]}" \
			"$BASE_URL/sessions")
		if [ "${out##*$'\n'}" = 200 ] && [[ "$out" =~ \"sid\":\"(CH[0-9a-f]{32})\" ]]; then
			echo "ok ${BASH_REMATCH[1]}"
		else
			echo "failed: ${out##*$'\n'}: ${out:0:100}"
		fi
		sleep 1
	done >>"$1"
	echo end >>"$1"
}

# The pids of the programs serving now (none under plain CGI, where a
# process serves one request).
serving_pids() {
	local p
	[ "${SERVER:-lighttpd}" = apache-cgi ] && return 0
	for p in sessions inbound-call post-event pre-event; do
		program_pids "$p"
	done | sort -n
}

setup_file() {
	start_stack
	local d sids i
	d=$(bodies)
	mkdir -p "$d"
	# Every big or odd body, made once.
	"$PY" - "$d" "$IC_FORM" "$PE_FORM" "$PR_FORM" <<'EOF'
import sys
d, forms = sys.argv[1], {"ic": sys.argv[2], "pe": sys.argv[3], "pr": sys.argv[4]}
def put(name, data):
    with open("%s/%s" % (d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
for ep, form in forms.items():
    for n in (65535, 65536, 65537, 100000, 131073, 1048577, 1500000):
        put("%s-%d" % (ep, n), form + "&Pad=" + "x" * (n - len(form) - 5))
    put("%s-1024-fields" % ep, form + "&f=1" * (1024 - 3))
    put("%s-1025-fields" % ep, form + "&f=1" * (1025 - 3))
    put("%s-60k-name" % ep, form + "&" + "N" * 61440 + "=v")
    put("%s-60k-value" % ep, form + "&V=" + "v" * 61440)
    put("%s-60k-escaped-value" % ep, form + "&V=" + "%41" * 20480)
put("20000-bare-fields", "a&" * 20000)          # 40 KB: too many fields
put("20000-fields", "a=1&" * 20000)             # 80 KB: too large
# JSON padded with white space: within the limit, refused for its address.
for n in (65535, 65536, 65537, 100000, 131073, 1048577, 1500000):
    j = '{"addresses":["+1"]%s}'
    put("sessions-%d" % n, j % (" " * (n - len(j) + 2)))
EOF
	# The conversation the calls in flight are connected through, and ten
	# for the post-events in flight to delete.
	fake_seed "{\"conversations\":[{\"state\":\"active\",\"participants\":[
		{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" |
		jq -r '.sids[0]' >"$BATS_FILE_TMPDIR/seeded"
	sids=$(fake_seed "{\"conversations\":[$(for i in $(seq 10); do
		printf '{"state":"closed","participants":[{"address":"+1604555%04d","proxy_address":"+16045550100"}]}' "$i"
		[ "$i" = 10 ] || printf ,; done)]}" | jq -r '.sids | join(" ")')
	echo "$sids" >"$BATS_FILE_TMPDIR/deletable"
	export BG_STOP="$BATS_FILE_TMPDIR/bg.stop" BG_DIR="$BATS_FILE_TMPDIR"
	rm -f "$BG_STOP"
	# shellcheck disable=SC2086
	{
		bg_inbound "$BG_DIR/bg.inbound" </dev/null >/dev/null 2>&1 3>&- &
		echo $! >"$BG_DIR/bg.pids"
		bg_events "$BG_DIR/bg.events" $sids </dev/null >/dev/null 2>&1 3>&- &
		echo $! >>"$BG_DIR/bg.pids"
		bg_sessions "$BG_DIR/bg.sessions" </dev/null >/dev/null 2>&1 3>&- &
		echo $! >>"$BG_DIR/bg.pids"
	}
	# Under way (each program has served one) before the corpus starts.
	for i in $(seq 200); do
		grep -qs '^ok' "$BG_DIR/bg.inbound" && grep -qs '^ok' "$BG_DIR/bg.events" &&
			grep -qs '^ok' "$BG_DIR/bg.sessions" && break
		sleep 0.05
	done
	serving_pids >"$BG_DIR/pids.start"
}

teardown_file() {
	local pid
	touch "$BG_STOP"
	for pid in $(cat "$BG_DIR/bg.pids" 2>/dev/null); do
		kill "$pid" 2>/dev/null
	done
	stop_stack
}

setup() { load_harness; }

# ------------------------------------------------------------------ helpers

# hit PATH [rawhttp.py args...]: one request; sets status_code, ctype, body
# and rh_rc (0 answered, 1 closed without an answer, 2 timeout).
hit() {
	local path="$1" out
	shift
	out=$({ "$PY" -S "$TOP/tests/lib/rawhttp.py" --timeout 10 "$@" "$BASE_URL$path" 2>/dev/null
		echo $? >"$BATS_TEST_TMPDIR/rh_rc"; } | tr -d '\000')
	rh_rc=$(cat "$BATS_TEST_TMPDIR/rh_rc")
	status_code=${out%%$'\n'*}
	out=${out#*$'\n'}
	ctype=${out%%$'\n'*}
	# An empty body: $(...) took the newline after the type too.
	if [[ "$out" == *$'\n'* ]]; then body=${out#*$'\n'}; else body=; fi
}

# sign PATH: the --sign arguments for PATH.
sign() { echo --sign "$AUTH_TOKEN" "https://$DOMAIN$1"; }

# said: the last answer, for messages.
said() { echo "$CASE: got $status_code ($ctype) rc=$rh_rc: ${body:0:200}"; }

# server_page TEXT: whether TEXT is one of the JSON pages the harness's
# lighttpd answers its own errors with (json_error_pages, harness.bash).
server_page() {
	[ -d "$WORK/errors" ] && [ -n "$1" ] && grep -qxF -- "$1" "$WORK"/errors/status-*.html
}

# from_program: whether the last answer is a program's (the servers' own
# pages are HTML, or the harness lighttpd's JSON pages).
from_program() {
	[ "$rh_rc" = 0 ] && [[ "$ctype" != text/html* ]] && [ -n "$ctype" ] &&
		! server_page "$body"
}

# refused "PROGRAM-CODES" RE ["SERVER-CODES"]: the last answer is one of the
# program's PROGRAM-CODES with RE in its body, or the web server's own
# answer with one of SERVER-CODES (default: any 4xx). Never a 5xx, never no
# answer.
refused() {
	local codes=" $1 " re="$2" server=" ${3:-4xx} "
	[ "$rh_rc" = 0 ] || { echo "$(said) (no answer)" >&2; return 1; }
	if from_program; then
		[[ "$codes" == *" $status_code "* ]] && echo "$body" | grep -Eiq -- "$re" && return 0
		echo "$(said) (want the program's $1 matching /$re/)" >&2
		return 1
	fi
	if [[ "$server" == *" $status_code "* ]] || { [[ "$server" == *" 4xx "* ]] && [[ "$status_code" == 4?? ]]; }; then
		return 0
	fi
	echo "$(said) (want the server's $server)" >&2
	return 1
}

# normal PATH: the last answer is PATH's normal answer to its valid form
# (the call connected, the event not processed).
normal() {
	case $1 in
	"$IC")	[ "$status_code" = 200 ] && [ "$ctype" = text/xml ] && [ "$body" = "$DIAL_B" ] ;;
	"$PE")	[ "$status_code" = 200 ] && [[ "$ctype" == text/plain* ]] && [ "$body" = "not processed" ] ;;
	"$PR")	[ "$status_code" = 200 ] && [[ "$ctype" == text/plain* ]] && [ -z "$body" ] ;;
	esac || { echo "$(said) (want the normal answer)" >&2; return 1; }
}

# empty_normal PATH: the answer to a signed form without the fields: out of
# session, or not processed.
empty_normal() {
	case $1 in
	"$IC")	[ "$status_code" = 200 ] && [ "$ctype" = text/xml ] && [ "$body" = "$NO_SESSION" ] ;;
	"$PE")	[ "$status_code" = 200 ] && [[ "$ctype" == text/plain* ]] && [ "$body" = "not processed" ] ;;
	"$PR")	[ "$status_code" = 200 ] && [[ "$ctype" == text/plain* ]] && [ -z "$body" ] ;;
	esac || { echo "$(said) (want the answer to an empty form)" >&2; return 1; }
}

# normal_or_refused PATH "PROGRAM-CODES" RE ["SERVER-CODES"]: the normal
# answer, or a refusal as refused() says.
normal_or_refused() {
	local path="$1"
	shift
	normal "$path" 2>/dev/null && return 0
	refused "$@"
}

# form_of PATH: the valid form of PATH.
form_of() { case $1 in "$IC") echo "$IC_FORM" ;; "$PE") echo "$PE_FORM" ;; *) echo "$PR_FORM" ;; esac; }
# ep PATH: the short name of PATH's bodies (ic, pe, pr).
ep() { case $1 in "$IC") echo ic ;; "$PE") echo pe ;; *) echo pr ;; esac; }

# The cases of a test are all run even after one failed; each failing case
# is named, and the test fails at the end.
check() {
	CASE="$1"
	shift
	"$@" || FAILED+=("$CASE")
}
verdict() {
	[ "${#FAILED[@]}" = 0 ] || { echo "failed: ${#FAILED[@]} case(s)" >&2; return 1; }
}

# --------------------------------------------------------------- the corpus

# body_size PATH N SIGNED: a body of N bytes.
size_case() {
	local path="$1" n="$2" signed="$3" args=()
	[ "$signed" = signed ] && args=($(sign "$path"))
	if [ "$n" = 0 ]; then
		hit "$path" "${args[@]}" --data ''
		if [ "$signed" = signed ]; then empty_normal "$path"; else refused 403 "$FORBIDDEN_RE"; fi
		return
	fi
	hit "$path" "${args[@]}" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-file "$(bodies)/$(ep "$path")-$n"
	if [ "$n" -le 65536 ]; then
		if [ "$signed" = signed ]; then normal "$path"; else refused 403 "$FORBIDDEN_RE"; fi
	else
		refused 413 "$TOOBIG_RE" 413
	fi
}

@test "webhooks: body sizes 0, 64 KiB - 1, 64 KiB, 64 KiB + 1, 100 KB, past 128 KiB, past 1 MiB, 1.5 MB, signed and unsigned" {
	FAILED=()
	for path in "$IC" "$PE" "$PR"; do
		for n in 0 65535 65536 65537 100000 131073 1048577 1500000; do
			for s in unsigned signed; do
				check "$path $n bytes $s" size_case "$path" "$n" "$s"
			done
		done
	done
	verdict
}

# length_case PATH LENGTH SIGNED [rawhttp args]: the valid form sent with
# that Content-Length; the program (or server) refuses it, 400.
length_case() {
	local path="$1" len="$2" signed="$3" args=()
	shift 3
	[ "$signed" = signed ] && args=($(sign "$path"))
	hit "$path" "${args[@]}" --length "$len" --data "$(form_of "$path")" "$@"
	refused 400 "$BADLEN_RE" "400 411 413"
}

# A truncated body: the client sent less than it said and shut its side. The
# server may answer 4xx or just close (nobody is left to tell), but not hang
# and not 5xx. mod_fcgid answers a client that aborted mid-body with its own
# 500 page, before any program is involved: that, and only that, is let
# through under apache-fcgid.
truncated_case() {
	local path="$1" signed="$2" args=()
	shift 2
	[ "$signed" = signed ] && args=($(sign "$path"))
	hit "$path" "${args[@]}" --half-close "$@"
	[ "$rh_rc" = 1 ] && return 0
	if [ "${SERVER:-lighttpd}" = apache-fcgid ] && [ "$status_code" = 500 ] && ! from_program; then
		return 0
	fi
	refused "400 413" "$BADLEN_RE|$TOOBIG_RE|$BADFORM_RE"
}

# lenient_case PATH SIGNED [rawhttp args]: the valid form with a framing
# a server may accept or refuse: the normal answer (signed) or 403
# (unsigned) when the program got the form, else a refusal.
lenient_case() {
	local path="$1" signed="$2" args=()
	shift 2
	[ "$signed" = signed ] && args=($(sign "$path"))
	hit "$path" "${args[@]}" --data "$(form_of "$path")" "$@"
	if [ "$signed" = signed ]; then
		normal_or_refused "$path" "400 403" "$FORBIDDEN_RE|$BADLEN_RE" "400 411"
	else
		refused "400 403" "$FORBIDDEN_RE|$BADLEN_RE" "400 411"
	fi
}

@test "webhooks: Content-Length missing, negative, not a number, huge, repeated, or longer or shorter than the body" {
	FAILED=()
	local waiting=() p n len s form
	# Kept open, promising more: the server waits (the workers do not);
	# answered later, if at all, with a 4xx.
	for path in "$IC" "$PE" "$PR"; do
		"$PY" -S "$TOP/tests/lib/rawhttp.py" --timeout 3 --length 500 --data "$(form_of "$path")" \
			"$BASE_URL$path" >"$BATS_TEST_TMPDIR/waiting-$(ep "$path")" 2>/dev/null &
		waiting+=($!)
	done
	for path in "$IC" "$PE" "$PR"; do
		form=$(form_of "$path")
		n=${#form}
		for s in unsigned signed; do
			for len in -1 abc 99999999999999999999 18446744073709551657 1e3 "+$n" \
			    "0x$(printf %x "$n")" "$n $n" "$n;" "-$n"; do
				check "$path Content-Length '$len' $s" length_case "$path" "$len" "$s"
			done
			check "$path two Content-Lengths that differ $s" length_case "$path" none "$s" \
				-H "Content-Length: $n" -H "Content-Length: $((n - 10))"
			check "$path Content-Length 500 for a shorter body, then closed $s" truncated_case "$path" "$s" \
				--length 500 --data "$form"
			check "$path Content-Length 1 GB, then closed $s" truncated_case "$path" "$s" \
				--length 1000000000 --data "$form"
			# A server may take these (RFC 9110 allows a list of equal
			# lengths) or refuse them.
			check "$path two equal Content-Lengths $s" lenient_case "$path" "$s" \
				--length none -H "Content-Length: $n" -H "Content-Length: $n"
			check "$path Content-Length '$n, $n' $s" lenient_case "$path" "$s" --length "$n, $n"
			check "$path Content-Length '' $s" lenient_case "$path" "$s" --length ""
			# None: the server refuses (411), or the program reads to
			# the end (or, under CGI, takes no length for no body).
			check "$path no Content-Length $s" lenient_case "$path" "$s" --length none
		done
		# Shorter than the body: the program reads what was promised,
		# which the signature does not cover.
		check "$path Content-Length 10 for a longer body" eval 'hit "$path" $(sign "$path") --length 10 --data "$form";
			refused "400 403" "$FORBIDDEN_RE|$BADLEN_RE|$BADFORM_RE" 400'
	done
	# The ones kept open: still waiting after 3 s, or a 4xx; meanwhile a
	# signed call was answered (the workers are not held).
	CASE="a call while bodies are awaited"
	hit "$IC" $(sign "$IC") --data "$IC_FORM"
	normal "$IC" || FAILED+=("$CASE")
	for p in "${waiting[@]}"; do wait "$p" || true; done
	for path in "$IC" "$PE" "$PR"; do
		CASE="$path Content-Length 500 for a shorter body, kept open"
		out=$(cat "$BATS_TEST_TMPDIR/waiting-$(ep "$path")")
		[[ "$out" == "000"*"no answer: timeout" ]] || [[ "$out" == 4[0-9][0-9]$'\n'text/html* ]] ||
			{ [[ "$out" == 4[0-9][0-9]$'\n'* ]] && server_page "${out##*$'\n'}"; } ||
			{ echo "$CASE: got ${out:0:200}" >&2; FAILED+=("$CASE"); }
	done
	verdict
}

# chunked_small_case PATH SIGNED [rawhttp args]: the valid form, chunked
# (the framing in the args).
chunked_small_case() {
	local path="$1" signed="$2" args=()
	shift 2
	[ "$signed" = signed ] && args=(-H "X-Twilio-Signature: $("$PY" -S "$TOP/tests/lib/rawhttp.py" \
		--sign-only "$AUTH_TOKEN" "https://$DOMAIN$path" --data "$(form_of "$path")" x)")
	hit "$path" "${args[@]}" --data "$(form_of "$path")" "$@"
	if [ "$signed" = signed ]; then
		normal_or_refused "$path" 411 x 411
	else
		refused 403 "$FORBIDDEN_RE" 411
	fi
}

# chunked_size_case PATH N SIGNED: N bytes of form, chunked.
chunked_size_case() {
	local path="$1" n="$2" signed="$3" args=()
	[ "$signed" = signed ] && args=($(sign "$path"))
	hit "$path" "${args[@]}" --chunked --chunk-size 16384 --data-file "$(bodies)/$(ep "$path")-$n"
	if [ "$n" -gt 65536 ]; then
		refused 413 "$TOOBIG_RE" "411 413"
	elif [ "$signed" = signed ]; then
		normal_or_refused "$path" 411 x 411
	else
		refused 403 "$FORBIDDEN_RE" 411
	fi
}

# malformed_chunked_case PATH RAW-BODY: a chunked body that is not one, and
# the client's end of the connection shut: a refusal, or (the client having
# gone) the connection closed; never a 5xx, never a hang.
malformed_chunked_case() {
	hit "$1" --raw --length none -H 'Transfer-Encoding: chunked' --half-close --data="$2"
	[ "$rh_rc" = 1 ] && return 0
	refused "400 403 413" "$FORBIDDEN_RE|$BADFORM_RE|$BADLEN_RE|$TOOBIG_RE" "400 413"
}

@test "webhooks: chunked bodies, valid, over the limits and malformed" {
	FAILED=()
	local n s form
	for path in "$IC" "$PE" "$PR"; do
		form=$(form_of "$path")
		for s in unsigned signed; do
			check "$path chunked, 7-byte chunks $s" chunked_small_case "$path" "$s" --chunked --chunk-size 7
			check "$path chunked with chunk extensions $s" chunked_small_case "$path" "$s" --raw \
				--length none -H 'Transfer-Encoding: chunked' \
				--data "$(printf '%x;name=value' "${#form}")\r\n$form\r\n0;x=\"y\"\r\nX-Trailer: 1\r\n\r\n"
			for n in 65536 65537 100000 1500000; do
				check "$path chunked, $n bytes $s" chunked_size_case "$path" "$n" "$s"
			done
		done
		check "$path chunked, a size that is not hex" malformed_chunked_case "$path" 'zz\r\nFrom=1\r\n0\r\n\r\n'
		check "$path chunked, a size of 2^64 + 1" malformed_chunked_case "$path" '10000000000000001\r\nFrom=1\r\n0\r\n\r\n'
		check "$path chunked, a negative size" malformed_chunked_case "$path" '-5\r\nFrom=\r\n0\r\n\r\n'
		check "$path chunked, no CRLF after the data" malformed_chunked_case "$path" '6\r\nFrom=1XX0\r\n\r\n'
		check "$path chunked, a NUL in the size line" malformed_chunked_case "$path" '6\x00\r\nFrom=1\r\n0\r\n\r\n'
		check "$path chunked, a chunk longer than the data, then closed" truncated_case "$path" unsigned \
			--raw --length none -H "Transfer-Encoding: chunked" --data '50\r\nFrom=1\r\n0\r\n\r\n'
		check "$path chunked, no last chunk, then closed" truncated_case "$path" signed \
			--raw --length none -H "Transfer-Encoding: chunked" --data '5\r\nFrom=\r\n'
		# Both framings: HTTP says chunked wins, or the server refuses.
		check "$path chunked and a Content-Length" lenient_case "$path" signed --chunked --length 5
		check "$path chunked twice" eval 'hit "$path" --chunked -H "Transfer-Encoding: chunked" --data "$form";
			refused "400 403" "$FORBIDDEN_RE|$BADLEN_RE" "400 501"'
		# An unknown transfer coding: 501 is what HTTP prescribes, from
		# the web server; no program sees it.
		check "$path Transfer-Encoding gzip" eval 'hit "$path" --length none -H "Transfer-Encoding: gzip" --data "$form";
			refused "400 403" "$FORBIDDEN_RE|$BADLEN_RE" "400 411 501"'
	done
	verdict
}

@test "webhooks: every content type, signed and unsigned, and JSON bodies" {
	FAILED=()
	local t json sha sig
	for path in "$IC" "$PE" "$PR"; do
		for t in none application/x-www-form-urlencoded 'application/x-www-form-urlencoded; charset=utf-8' \
		    application/json 'multipart/form-data; boundary=x' text/plain ';;;=' '' \
		    'application/x-www-form-urlencoded\x01'; do
			hdr=()
			[ "$t" = none ] || hdr=(-H "Content-Type: $t")
			# Twilio sends forms; the programs either read the form
			# anyway or refuse the type, plainly.
			check "$path Content-Type '$t' unsigned" eval 'hit "$path" "${hdr[@]}" --data "$(form_of "$path")";
				refused "400 403 415" "$FORBIDDEN_RE|type|$BADFORM_RE" 400'
			check "$path Content-Type '$t' signed" eval 'hit "$path" $(sign "$path") "${hdr[@]}" --data "$(form_of "$path")";
				normal_or_refused "$path" "400 403 415" "$FORBIDDEN_RE|type|$BADFORM_RE" 400'
		done
		# A real multipart body, signed as the form it also is.
		check "$path multipart body" eval 'hit "$path" $(sign "$path") -H "Content-Type: multipart/form-data; boundary=x" \
			--data "--x\r\nContent-Disposition: form-data; name=\"From\"\r\n\r\n+14155551234\r\n--x--\r\n";
			empty_normal "$path" 2>/dev/null || refused "400 403 415" "$FORBIDDEN_RE|type|$BADFORM_RE"'
		# JSON, unsigned, and signed through bodySHA256 as Twilio signs
		# JSON (no field the programs read: out of session, not processed).
		json='{"From":"+14155551234","Called":"+14155550100"}'
		check "$path JSON body, unsigned" eval 'hit "$path" -H "Content-Type: application/json" --data "$json";
			refused "400 403 415" "$FORBIDDEN_RE|type|$BADFORM_RE"'
		sha=$(printf '%s' "$json" | sha256sum | cut -d" " -f1)
		sig=$("$PY" -S "$BATS_TEST_DIRNAME/../lib/sign.py" --json "$AUTH_TOKEN" "https://$DOMAIN$path?bodySHA256=$sha" "$json")
		check "$path JSON body signed with bodySHA256" eval 'hit "$path?bodySHA256=$sha" -H "X-Twilio-Signature: $sig" \
			-H "Content-Type: application/json" --data "$json";
			empty_normal "$path" 2>/dev/null || refused "400 415" "type|$BADFORM_RE"'
		check "$path JSON body, bodySHA256 of another body" eval 'hit "$path?bodySHA256=$sha" -H "X-Twilio-Signature: $sig" \
			-H "Content-Type: application/json" --data "${json/1234/9999}";
			refused "400 403 415" "$FORBIDDEN_RE|type|$BADFORM_RE"'
	done
	verdict
}

@test "webhooks: NUL bytes and bad %-escapes are 400, signed or not; odd bytes are not" {
	FAILED=()
	local b s
	for path in "$IC" "$PE" "$PR"; do
		for b in 'From=%2B14155551234\x00&Called=%2B14155550100' 'Fr\x00om=%2B14155551234' \
		    'From=%00' '%00=1' '\x00\x00\x00\x00' 'From=%' 'From=%G0' 'From=%0' \
		    'From=%%41' '%ZZ=1' 'a=%u0041' "$(form_of "$path")&x=%4"; do
			for s in unsigned signed; do
				check "$path '$b' $s" eval 'hit "$path" $([ $s = signed ] && sign "$path") --data="$b";
					refused 400 "$BADFORM_RE"'
			done
		done
		# Bytes that are no UTF-8, raw or escaped, are a valid form.
		check "$path raw 0xff byte, signed" eval 'hit "$path" $(sign "$path") --data "$(form_of "$path")&X=\xff\xfe";
			normal "$path"'
		check "$path escaped 0xff byte, signed" eval 'hit "$path" $(sign "$path") --data "$(form_of "$path")&X=%FF%C0%AF";
			normal "$path"'
		check "$path raw 0xff byte, unsigned" eval 'hit "$path" --data "$(form_of "$path")&X=\xff";
			refused 403 "$FORBIDDEN_RE"'
	done
	verdict
}

@test "webhooks: 20,000 fields, 1024 and 1025 fields, 60 KB names and values, repeated and empty keys" {
	FAILED=()
	local e s
	for path in "$IC" "$PE" "$PR"; do
		e=$(ep "$path")
		for s in unsigned signed; do
			args=()
			[ "$s" = signed ] && args=($(sign "$path"))
			# Over 1024 fields: refused before anything is decoded.
			check "$path 20,000 fields in 40 KB $s" eval 'hit "$path" "${args[@]}" --data-file "$(bodies)/20000-bare-fields";
				refused "400 413" "$FIELDS_RE"'
			check "$path 20,000 fields in 80 KB $s" eval 'hit "$path" "${args[@]}" --data-file "$(bodies)/20000-fields";
				refused 413 "$TOOBIG_RE" 413'
			check "$path 1025 fields $s" eval 'hit "$path" "${args[@]}" --data-file "$(bodies)/$e-1025-fields";
				refused "400 413" "$FIELDS_RE"'
			for f in 1024-fields 60k-name 60k-value 60k-escaped-value; do
				check "$path $f $s" eval 'hit "$path" "${args[@]}" --data-file "$(bodies)/$e-$f";
					if [ $s = signed ]; then normal "$path"; else refused 403 "$FORBIDDEN_RE"; fi'
			done
			# The first of a repeated name counts (or the form is refused).
			check "$path repeated keys $s" eval 'hit "$path" "${args[@]}" --data "$(form_of "$path")&From=%2B16045551234&Called=%2B16045550100&EventType=x&To=&To=";
				if [ $s = signed ]; then normal_or_refused "$path" 400 "$BADFORM_RE"; else refused "400 403" "$FORBIDDEN_RE|$BADFORM_RE"; fi'
			check "$path empty pairs and names $s" eval 'hit "$path" "${args[@]}" --data "&&=&==&$(form_of "$path")&&&";
				if [ $s = signed ]; then normal_or_refused "$path" 400 "$BADFORM_RE"; else refused "400 403" "$FORBIDDEN_RE|$BADFORM_RE"; fi'
			check "$path only empty names $s" eval 'hit "$path" "${args[@]}" --data "=&=&=1&&";
				if [ $s = signed ]; then empty_normal "$path" 2>/dev/null || refused 400 "$BADFORM_RE"; else refused "400 403" "$FORBIDDEN_RE|$BADFORM_RE"; fi'
		done
	done
	verdict
}

@test "webhooks: huge, many, repeated and odd headers" {
	FAILED=()
	local big sig many=() i
	big=$(printf 'x%.0s' $(seq 100000))
	for i in $(seq 120); do many+=(-H "X-Header-$i: $i"); done
	for path in "$IC" "$PE" "$PR"; do
		sig=$("$PY" -S "$TOP/tests/lib/rawhttp.py" --sign-only "$AUTH_TOKEN" "https://$DOMAIN$path" --data "$(form_of "$path")" x)
		check "$path a 100 KB header" eval 'hit "$path" -H "X-Junk: $big" --data "$(form_of "$path")";
			refused 400 x "400 413 431"'
		check "$path a 100 KB signature" eval 'hit "$path" -H "X-Twilio-Signature: $big" --data "$(form_of "$path")";
			refused 403 "$FORBIDDEN_RE" "400 413 431"'
		check "$path a 6 KB signature" eval 'hit "$path" -H "X-Twilio-Signature: ${big:0:6000}" --data "$(form_of "$path")";
			refused 403 "$FORBIDDEN_RE" "400 413 431"'
		check "$path a signature with a NUL" eval 'hit "$path" -H "X-Twilio-Signature: ${sig:0:10}\x00${sig:10}" --data "$(form_of "$path")";
			refused 403 "$FORBIDDEN_RE" 400'
		check "$path a signature with a newline in it" eval 'hit "$path" -H "X-Twilio-Signature: ${sig:0:10}\n ${sig:10}" --data "$(form_of "$path")";
			refused 403 "$FORBIDDEN_RE" 400'
		# Repeated: a server joins them (no match) or passes the first.
		check "$path the signature, then garbage" eval 'hit "$path" -H "X-Twilio-Signature: $sig" -H "X-Twilio-Signature: garbage" --data "$(form_of "$path")";
			normal_or_refused "$path" 403 "$FORBIDDEN_RE" 400'
		check "$path garbage, then the signature" eval 'hit "$path" -H "X-Twilio-Signature: garbage" -H "X-Twilio-Signature: $sig" --data "$(form_of "$path")";
			normal_or_refused "$path" 403 "$FORBIDDEN_RE" 400'
		check "$path the signature twice" eval 'hit "$path" -H "X-Twilio-Signature: $sig" -H "X-Twilio-Signature: $sig" --data "$(form_of "$path")";
			normal_or_refused "$path" 403 "$FORBIDDEN_RE" 400'
		check "$path 120 headers, signed" eval 'hit "$path" "${many[@]}" -H "X-Twilio-Signature: $sig" --data "$(form_of "$path")";
			normal_or_refused "$path" 403 "$FORBIDDEN_RE" "400 431"'
		check "$path Content-Type twice" eval 'hit "$path" -H "Content-Type: text/plain" -H "Content-Type: application/x-www-form-urlencoded" \
			-H "X-Twilio-Signature: $sig" --data "$(form_of "$path")";
			normal_or_refused "$path" "400 403 415" "$FORBIDDEN_RE|type" 400'
		check "$path a header without a colon" eval 'hit "$path" -H "NoColonHere" --data "$(form_of "$path")";
			refused 403 "$FORBIDDEN_RE" 400'
	done
	verdict
}

@test "webhooks and /sessions: other methods are 405, other paths 404" {
	FAILED=()
	local m p
	for path in "$IC" "$PE" "$PR" /sessions; do
		# GET /sessions is the list of sessions (manage.bats).
		[ "$path" = /sessions ] || check "GET $path" eval 'hit "$path" -X GET --length none;
			refused 405 "method_not_allowed" "405"'
		for m in PUT DELETE PATCH; do
			check "$m $path" eval 'hit "$path" -X "$m" --data "$(form_of "$path")";
				refused 405 "method_not_allowed" "405"'
		done
		for p in "${path}x" "$path/x" "$path/" "${path}%00" "${path}/../$path"; do
			check "POST $p" eval 'hit "$p" --data "$(form_of "$path")";
				refused "401 403 404" "not_found|unauthorized|$FORBIDDEN_RE" "400 404"'
		done
	done
	verdict
}

# ---------------------------------------------------------------- /sessions

basic() { printf 'Authorization: Basic %s' "$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64 -w0)"; }

# json_refused "CODES" ERROR RE ["SERVER-CODES"]: the program's JSON error
# (one of CODES, .error ERROR, .message matching RE), or the server's own
# 4xx.
json_refused() {
	local codes=" $1 " err="$2" re="$3" server=" ${4:-4xx} "
	[ "$rh_rc" = 0 ] || { echo "$(said) (no answer)" >&2; return 1; }
	if from_program; then
		[[ "$codes" == *" $status_code "* ]] && [ "$ctype" = application/json ] &&
			echo "$body" | jq -e --arg e "$err" '.error | test("^(" + $e + ")$")' >/dev/null 2>&1 &&
			echo "$body" | jq -r .message | grep -Eiq -- "$re" && return 0
		echo "$(said) (want the program's $1 $err /$re/)" >&2
		return 1
	fi
	if [[ "$server" == *" $status_code "* ]] || { [[ "$server" == *" 4xx "* ]] && [[ "$status_code" == 4?? ]]; }; then
		return 0
	fi
	echo "$(said) (want the server's $server)" >&2
	return 1
}

@test "/sessions: sizes, lengths, chunked, content types, NUL and headers the JSON corpus does not cover" {
	FAILED=()
	local n len auth t
	auth=$(basic)
	J='{"addresses":["+1"]}'
	for n in 65535 65536; do
		check "/sessions $n bytes" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --data-file "$(bodies)/sessions-$n";
			json_refused 400 invalid_request "not an E.164"'
	done
	for n in 65537 100000 131073 1048577 1500000; do
		check "/sessions $n bytes" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --data-file "$(bodies)/sessions-$n";
			json_refused 413 body_too_large "64 KiB" 413'
		check "/sessions $n bytes chunked" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --chunked --chunk-size 16384 \
			--data-file "$(bodies)/sessions-$n"; json_refused 413 body_too_large "64 KiB" "411 413"'
	done
	check "/sessions 1.5 MB without credentials" eval 'hit /sessions -H "Content-Type: application/json" --data-file "$(bodies)/sessions-1500000";
		json_refused "401 413" "unauthorized|body_too_large" "." 413'
	for len in -1 abc 99999999999999999999 18446744073709551636 1e3 +20 0x14 '20 20' '20;' -20; do
		check "/sessions Content-Length '$len'" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --length "$len" --data "$J";
			json_refused 400 bad_body "length" "400 411 413"'
	done
	check "/sessions no Content-Length" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --length none --data "$J";
		json_refused 400 "invalid_json|invalid_request|bad_body" "." "400 411"'
	check "/sessions Content-Length 500 for a shorter body, then closed" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" \
		--length 500 --half-close --data "$J";
		[ "$rh_rc" = 1 ] || { [ "${SERVER:-lighttpd}" = apache-fcgid ] && [ "$status_code" = 500 ] && ! from_program; } ||
		json_refused 400 bad_body "length"'
	check "/sessions chunked" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --chunked --chunk-size 3 --data "$J";
		json_refused 400 invalid_request "not an E.164" 411'
	check "/sessions chunked, malformed" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --raw --length none \
		-H "Transfer-Encoding: chunked" --data "zz\r\n{}\r\n0\r\n\r\n";
		json_refused 400 "invalid_json|invalid_request|bad_body" "." 400'
	check "/sessions chunked, no last chunk, then closed" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --raw --length none \
		-H "Transfer-Encoding: chunked" --half-close --data "5\r\n{\"add\r\n";
		[ "$rh_rc" = 1 ] || { [ "${SERVER:-lighttpd}" = apache-fcgid ] && [ "$status_code" = 500 ] && ! from_program; } ||
		json_refused 400 "invalid_json|bad_body" "."'
	for t in 'multipart/form-data; boundary=x' text/json application/jsonx 'application/json-patch+json' \
	    garbage ';;;' 'application/x-www-form-urlencoded'; do
		check "/sessions Content-Type '$t'" eval 'hit /sessions -H "$auth" -H "Content-Type: $t" --data "$J";
			json_refused 415 unsupported_media_type "application/json" 400'
	done
	check "/sessions Content-Type APPLICATION/JSON" eval 'hit /sessions -H "$auth" -H "Content-Type: APPLICATION/JSON" --data "$J";
		json_refused 400 invalid_request "not an E.164"'
	check "/sessions a raw NUL in a string" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" \
		--data "{\"addresses\":[\"+14155551234\"],\"friendlyName\":\"a\x00b\"}";
		json_refused 400 "invalid_json|invalid_request" "control character|NUL"'
	check "/sessions a raw NUL between tokens" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" \
		--data "{\x00\"addresses\":[\"+14155551234\"]}"; json_refused 400 invalid_json "."'
	check "/sessions a raw NUL after the value" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" \
		--data "{\"addresses\":[\"+14155551234\"]}\x00"; json_refused 400 invalid_json "."'
	check "/sessions only NULs" eval 'hit /sessions -H "$auth" -H "Content-Type: application/json" --data "\x00\x00\x00";
		json_refused 400 invalid_json "."'
	check "/sessions a NUL in the credentials" eval 'hit /sessions -H "Authorization: Basic $(printf "%s:a\x01b" "$AUTH_USER" | base64 -w0)" \
		-H "Content-Type: application/json" --data "$J"; json_refused 401 unauthorized "."'
	check "/sessions two wrong credentials" eval 'hit /sessions -H "Authorization: Basic $(printf "a:b" | base64 -w0)" \
		-H "Authorization: Basic $(printf "c:d" | base64 -w0)" -H "Content-Type: application/json" --data "$J";
		json_refused 401 unauthorized "." 400'
	check "/sessions a 100 KB header" eval 'hit /sessions -H "$auth" -H "X-Junk: $(printf "x%.0s" $(seq 100000))" \
		-H "Content-Type: application/json" --data "$J"; json_refused 400 x "400 413 431"'
	check "/sessions a 6 KB Authorization" eval 'hit /sessions -H "Authorization: Basic $(printf "x%.0s" $(seq 6000))" \
		-H "Content-Type: application/json" --data "$J"; json_refused 401 unauthorized "." "400 431"'
	verdict
}

# --------------------------------------------------------------- afterwards

@test "the signed calls, post-events and sessions in flight all succeeded; nothing was created by the corpus; still serving" {
	local f i pid
	# Enough of each (at least 40 calls) beside the corpus; then stop.
	for i in $(seq 300); do
		[ "$(grep -c '^ok' "$BG_DIR/bg.inbound")" -ge 40 ] &&
			[ "$(grep -c '^ok.*deleted' "$BG_DIR/bg.events")" -ge 10 ] &&
			[ "$(grep -c '^ok' "$BG_DIR/bg.sessions")" -ge 3 ] && break
		sleep 0.1
	done
	touch "$BG_STOP"
	for f in inbound events sessions; do
		for i in $(seq 300); do
			grep -qx end "$BG_DIR/bg.$f" && break
			sleep 0.1
		done
		grep -qx end "$BG_DIR/bg.$f" || { echo "the $f loop did not end" >&2; return 1; }
	done
	for f in inbound events sessions; do
		echo "in flight: $f: $(grep -c '^ok' "$BG_DIR/bg.$f") succeeded, $(grep -c '^failed' "$BG_DIR/bg.$f") failed" >&2
	done
	if grep -qh '^failed' "$BG_DIR"/bg.inbound "$BG_DIR"/bg.events "$BG_DIR"/bg.sessions; then
		grep -h '^failed' "$BG_DIR"/bg.inbound "$BG_DIR"/bg.events "$BG_DIR"/bg.sessions | tr -d '\r' | head -10 >&2
		echo "requests in flight beside the corpus failed (first ones above); the programs' errors:" >&2
		grep 'masked\[' "$WORK/error.log" | grep -E ' (error|warn) ' | grep -v 'refused$' | tail -10 >&2
		return 1
	fi
	[ "$(grep -c '^ok' "$BG_DIR/bg.inbound")" -ge 40 ]
	[ "$(grep -c '^ok.*deleted' "$BG_DIR/bg.events")" = 10 ]
	[ "$(grep -c '^ok' "$BG_DIR/bg.sessions")" -ge 3 ]

	# The workers serving at the start still serve: none died.
	for pid in $(cat "$BG_DIR/pids.start"); do
		alive "$pid" || { echo "program $pid died during the corpus" >&2; return 1; }
	done

	# At Twilio: the seeded call's conversation and the sessions', the ten
	# closed ones deleted; no call placed. Every change came from the
	# requests in flight.
	sessions=$(sed -n 's/^ok //p' "$BG_DIR/bg.sessions" | tr '\n' ' ')
	deletable=$(cat "$BATS_FILE_TMPDIR/deletable")
	fake_get state | jq -e --arg s "$sessions $(cat "$BATS_FILE_TMPDIR/seeded")" '
		([.conversations[].sid] | sort) == ($s | split(" ") | map(select(. != "")) | sort) and
		.calls == []' >/dev/null ||
		{ echo "at Twilio, besides $sessions:" >&2; fake_get state | jq -c '.conversations[] | {sid, state}' >&2; return 1; }
	fake_get requests | jq -e --arg s "$sessions" --arg d "$deletable" '
		($s | split(" ") | map(select(. != ""))) as $made |
		($d | split(" ")) as $del |
		([.[] | select(.method == "POST" and .path == "/v1/Conversations")] | length) == ($made | length) and
		all(.[] | select(.method == "POST" and (.path | endswith("/Participants"))); (.path | split("/")[3]) as $c | $made | index($c)) and
		all(.[] | select(.method == "DELETE"); (.path | split("/")[3]) as $c | $del | index($c)) and
		([.[] | select(.path | endswith("/Calls.json"))] | length) == 0' >/dev/null ||
		{ fake_get requests | jq -c '.[] | select(.method != "GET") | {method, path, status}' | head -40 >&2; return 1; }

	# Still serving, every endpoint.
	hit "$IC" $(sign "$IC") --data "$IC_FORM"
	CASE="a call after the corpus" normal "$IC"
	hit "$PE" $(sign "$PE") --data "$PE_FORM"
	CASE="an event after the corpus" normal "$PE"
	hit "$PR" $(sign "$PR") --data "$PR_FORM"
	CASE="a text after the corpus" normal "$PR"
	post_session '{"addresses":["+14155559876","+12125559876"]}'
	[ "$status_code" = 200 ] || { echo "a session after the corpus: $status_code $body" >&2; return 1; }
}
