# harness.bash: starts the fake Twilio and a web server running the freshly
# built programs, on free loopback ports, for the end-to-end tests and for
# `make run`. Sourced by tests/e2e/*.bats and tests/run-service.sh.
#
# Inputs:  BUILD (folder with the .fcgi programs), WORK (a scratch folder).
# Outputs: FAKE_URL, BASE_URL (the web server), ENV_FILE, and the pids.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${BUILD:=$TOP/build}"

ACCOUNT_SID=AC00000000000000000000000000000000
AUTH_TOKEN=sandbox-auth-token
AUTH_USER=test-user
AUTH_PASS='test pass:with colon'
DOMAIN=masked.example.com
POOL='["+14155550100","+14155550101","+12125550100","+16045550100","+442071838750"]'

# The Python interpreter itself: a version-manager shim in front of python3
# costs half a second a call, which the tests would pay per signature.
: "${PY:=$(python3 -c 'import sys; print(sys.executable)')}"
export PY

free_port() {
	"$PY" -S -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts the fake Twilio; sets FAKE_URL and FAKE_PID. With FAKE_TLS_CERT
# and FAKE_TLS_KEY it serves HTTPS with them, as Twilio does.
start_fake() {
	local out="$WORK/fake.out" i tls=() scheme=http
	if [ -n "${FAKE_TLS_CERT:-}" ]; then
		tls=(--tls-cert "$FAKE_TLS_CERT" --tls-key "$FAKE_TLS_KEY")
		scheme=https
	fi
	"$PY" "$TOP/tests/fake-twilio/fake_twilio.py" --port 0 --quiet \
		--account-sid "$ACCOUNT_SID" --auth-token "$AUTH_TOKEN" "${tls[@]}" \
		>"$out" 2>"$WORK/fake.err" &
	FAKE_PID=$!
	for i in $(seq 100); do
		if grep -q 'listening on' "$out" 2>/dev/null; then
			FAKE_URL="$scheme://$(sed -n 's/.*listening on //p' "$out" | head -1)"
			return 0
		fi
		sleep 0.05
	done
	echo "fake Twilio did not start" >&2
	cat "$WORK/fake.err" >&2
	return 1
}

# make_ca DIR NAME: a CA for tests, DIR/NAME.key and DIR/NAME.pem.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 2 -subj "/CN=masked test CA $2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$1/$2.key" -out "$1/$2.pem" 2>/dev/null
}

# make_server_cert DIR CA: DIR/server.key and DIR/server.pem, a certificate
# for 127.0.0.1 signed by the CA DIR/CA.pem (made by make_ca), for the fake
# Twilio's HTTPS (FAKE_TLS_CERT, FAKE_TLS_KEY).
make_server_cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=127.0.0.1 -keyout "$1/server.key" \
		-out "$1/server.csr" 2>/dev/null &&
	printf '%s\n' subjectAltName=IP:127.0.0.1 basicConstraints=CA:FALSE \
		extendedKeyUsage=serverAuth >"$1/server.ext" &&
	openssl x509 -req -in "$1/server.csr" -CA "$1/$2.pem" \
		-CAkey "$1/$2.key" -CAcreateserial -days 2 \
		-extfile "$1/server.ext" -out "$1/server.pem" 2>/dev/null
}

# Writes the env file the programs read (ENV_FILE); extra KEY=value lines
# given as arguments are appended.
write_env() {
	ENV_FILE="$WORK/env"
	{
		echo "TWILIO_ACCOUNT_SID=$ACCOUNT_SID"
		echo "TWILIO_AUTH_TOKEN=$AUTH_TOKEN"
		echo "TWILIO_CONVERSATIONS_URL=$FAKE_URL"
		echo "TWILIO_API_URL=$FAKE_URL"
		echo "NUMBER_POOL=$POOL"
		echo "DOMAIN=$DOMAIN"
		echo "AUTH_USERNAME=$AUTH_USER"
		echo "AUTH_PASSWORD='$AUTH_PASS'"
		echo "RETRY_MIN_TIMEOUT_MS=20"
		echo "RETRY_MAX_TIMEOUT_MS=200"
		echo "REQUEST_TIMEOUT_MS=${TEST_REQUEST_TIMEOUT_MS:-4000}"
		echo "LOG_LEVEL=debug"
		# The tests run as root (CI does); the programs refuse that otherwise.
		[ "$(id -u)" != 0 ] || echo "ALLOW_ROOT=1"
		for kv in "$@"; do echo "$kv"; done
	} >"$ENV_FILE"
}

# json_error_pages DIR: DIR/status-NNN.html, the JSON bodies of the errors
# lighttpd answers itself, in the programs' form {"error", "message"}.
json_error_pages() {
	local dir=$1 kv code err
	mkdir -p "$dir"
	while read -r code err kv; do
		printf '{"error":"%s","message":"%s"}\n' "$err" "$kv" >"$dir/status-$code.html"
	done <<'PAGES'
400 bad_request the request is not valid HTTP
403 forbidden this path is not served
404 not_found no such endpoint: the service serves /sessions, POST /inbound-call, /conversations-post-event and /conversations-pre-event
405 method_not_allowed only POST is served here
408 request_timeout the request did not arrive in time
411 length_required a POST needs a Content-Length (or a chunked body)
413 body_too_large the body is over the server's limit
414 uri_too_long the request URI is too long
417 expectation_failed the Expect header is not supported
431 headers_too_large the request headers are too large
500 internal_error the server failed to answer
501 not_implemented that transfer coding or method is not supported
502 bad_gateway the program did not answer
503 unavailable the program is not running; try again
504 timeout the program did not answer in time
PAGES
}

# Starts lighttpd with the four programs (bin-path); sets BASE_URL.
# PORT may be given; PROCS is max-procs per program (default 2), and
# E2E_PROCS, when set, overrides every file's PROCS (the ThreadSanitizer
# stage: one process, so that requests made at once meet in its threads).
# LIGHTTPD_EXTRA: more fastcgi.server entries ("\"/path\" => ((...)),"
# lines), for the benchmarks' second pre-event configuration.
start_lighttpd() {
	local port="${PORT:-$(free_port)}" procs="${E2E_PROCS:-${PROCS:-2}}" prog path
	local conf="$WORK/lighttpd.conf"
	mkdir -p "$WORK/www"
	json_error_pages "$WORK/errors"
	{
		echo "server.document-root = \"$WORK/www\""
		# What lighttpd answers itself (no such path, no length, too
		# big) is JSON like the programs' errors, not an HTML page.
		echo "server.errorfile-prefix = \"$WORK/errors/status-\""
		echo 'mimetype.assign = (".html" => "application/json")'
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $port"
		echo "server.errorlog = \"$WORK/error.log\""
		echo "server.pid-file = \"$WORK/lighttpd.pid\""
		echo "server.max-request-size = 1024"
		echo 'server.modules = ("mod_fastcgi")'
		echo 'fastcgi.server = ('
		for prog in sessions:/sessions inbound-call:/inbound-call \
		    post-event:/conversations-post-event \
		    pre-event:/conversations-pre-event; do
			path=${prog#*:}
			prog=${prog%%:*}
			echo "  \"$path\" => (( \"bin-path\" => \"${WRAP:+$WRAP }$BUILD/$prog.fcgi\","
			echo "    \"socket\" => \"$WORK/$prog.sock\", \"max-procs\" => $procs,"
			echo "    \"check-local\" => \"disable\","
			echo "    \"bin-environment\" => (\"ENV_FILE\" => \"$ENV_FILE\") )),"
		done
		[ -z "${LIGHTTPD_EXTRA:-}" ] || printf '%s\n' "$LIGHTTPD_EXTRA"
		echo ')'
	} >"$conf"
	run_lighttpd "$conf" "$port"	# tests/lib/servers.bash
}

# start_operator SECRET: the operator's backend of the tests
# (tests/operator/operator.py), checking requests signed with SECRET; sets
# OP_URL. stop_operator stops it.
start_operator() {
	local i
	"$PY" "$TOP/tests/operator/operator.py" --port 0 --secret "$1" \
		--log "$WORK/operator.jsonl" >"$WORK/operator.out" 2>"$WORK/operator.err" &
	echo $! >"$WORK/operator.pid"
	for i in $(seq 100); do
		if grep -q 'listening on' "$WORK/operator.out" 2>/dev/null; then
			OP_URL="http://$(sed -n 's/.*listening on //p' "$WORK/operator.out" | head -1)"
			return 0
		fi
		sleep 0.05
	done
	cat "$WORK/operator.err" >&2
	return 1
}

stop_operator() {
	[ -f "$WORK/operator.pid" ] && kill "$(cat "$WORK/operator.pid")" 2>/dev/null
	rm -f "$WORK/operator.pid"
	return 0
}

stop_all() {
	local i kids=
	programs_stopping
	[ -n "${LIGHTTPD_PID:-}" ] && kids=$(pgrep -P "$LIGHTTPD_PID" | tr '\n' ' ')
	[ -n "${LIGHTTPD_PID:-}" ] && kill "$LIGHTTPD_PID" 2>/dev/null && wait "$LIGHTTPD_PID" 2>/dev/null
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	LIGHTTPD_PID= FAKE_PID=
	# The programs exit after lighttpd; let them finish (and report leaks).
	for i in $(seq 100); do
		pgrep -f "$WORK/[a-z-]*\.sock" >/dev/null || break
		sleep 0.05
	done
	return 0
}

# Fails, showing them, if the programs logged sanitizer or valgrind reports,
# if a worker died during the file (check_crashes), or if the log holds a
# secret or a whole phone number. Reports a test acknowledged
# (acknowledge_crashes) are not looked at again.
check_reports() {
	local log="$WORK/error.log"
	[ -f "$log" ] || return 0
	if unacknowledged_log | grep -qE 'ERROR: (Address|Leak|Thread)Sanitizer|WARNING: ThreadSanitizer|runtime error:|==[0-9]+== (Invalid|Conditional|Use of|Mismatched)|definitely lost: [1-9]'; then
		unacknowledged_log | grep -E -A30 'Sanitizer|runtime error:|==[0-9]+==' | head -80 >&2
		return 1
	fi
	check_crashes >&2 || return 1
	# No secret and no whole phone number in any line the programs wrote.
	# (the header names followed by a value: a header dumped whole)
	local secrets=("$AUTH_TOKEN" "$AUTH_PASS" "${SECONDARY_TOKEN:-}"
		"$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64 -w0)"
		"Authorization: " "X-Twilio-Signature: " "HTTP_AUTHORIZATION"
		"${CALLBACK_SECRET:-}" "X-Masked-Signature: ")
	for s in "${secrets[@]}"; do
		[ -n "$s" ] || continue
		if grep -F -- "$s" "$log" | grep -q 'masked\['; then
			echo "the log holds a secret or header: $s" >&2
			return 1
		fi
	done
	if grep 'masked\[' "$log" | grep -qE '(\+|%2B)[0-9]{7,}'; then
		echo "the log holds an unmasked phone number:" >&2
		grep 'masked\[' "$log" | grep -E '(\+|%2B)[0-9]{7,}' | head -5 >&2
		return 1
	fi
	return 0
}

# The other web servers of deploy/ (start_server NAME, stop_server).
source "$TOP/tests/lib/servers.bash"

# ------------------------------------------------------------ crash detector
#
# A worker that dies while a .bats file runs fails the file (check_reports,
# at its teardown): killed by a signal, aborted, or restarted by the web
# server, whatever the server. The evidence, each the line as it is logged
# in $WORK/error.log, or found in /proc:
#   the programs   masked[PID] error PROGRAM: fatal signal N (NAME), written
#                  by the program itself before it dies of SIGSEGV, SIGBUS,
#                  SIGILL, SIGFPE or SIGABRT (not in sanitizer builds, whose
#                  own reports fail the file instead)
#   lighttpd       (gw_backend.c.N) child signalled: N | child exited: N |
#                  child died somehow: N (it then starts another), and
#                  "unexpected end-of-file (perhaps the fastcgi process
#                  died)" for a request it was serving ("connection
#                  was dropped after accept() (perhaps the gw process died)"
#                  is not: it is also what a program that answered 413 before
#                  reading the whole body leaves)
#   nginx          upstream prematurely closed connection | recv() failed
#                  (104: ...) while reading response header from upstream,
#                  upstream "fastcgi://unix:.../PROGRAM.sock:"
#   systemd        systemd-socket.py: UNIT: Main process exited, code=killed,
#                  status=11/SEGV (pid PID), as systemd's journal says it
#   spawn-fcgi     masked-spawn-fcgi: PATH ended (status N); restarting
#   mod_fcgid      mod_fcgid: process PATH(PID) exit(WHY), get unexpected
#                  signal N | get signal N, possible coredump generated |
#                  terminated by calling exit(), return code: N | get stop
#                  signal N, unless WHY is shutting down, idle timeout or
#                  lifetime expired with a stop signal or return code 0; and
#                  "mod_fcgid: process PID graceful kill fail"
#   mod_cgi        End of script output before headers: PROGRAM | AH01220:
#                  Timeout waiting for output from CGI script
#   valgrind       ==PID== Process terminating with default action of signal N
#   /proc          a program process noted while the server ran (it started,
#                  each test's reset_fake, kill_program) that is gone before
#                  the harness stops the server, or that is still running
#                  10 s after the harness's SIGTERM (killed, then reported)
# A test that kills a program on purpose says so: kill_program_on_purpose
# (tests/lib/servers.bash) records each pid and signal, and the evidence of
# exactly those deaths is not reported (by pid where the line has one, else
# one line of each kind per declared death of that signal, and of that
# program where the line names it). A test that
# crashes one to see it reported (crash_detector.bats) calls check_crashes,
# then acknowledge_crashes.
#
# The detector's files, in $WORK: programs.seen ("PID START NAME", START
# the process's start time, /proc/PID/stat), crash.found (what a stop
# found), crash.expected ("PID SIGNAL NAME"), crash.offset (the bytes of
# error.log acknowledged).

# proc_start PID: the process's start time (clock ticks after boot), or
# nothing when it is gone or a zombie.
proc_start() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" != Z ] && [ "$1" != X ] && echo "${20}"
	return 0
}

# watch_programs: the server keeps its programs running: from now on their
# processes are noted (note_programs), and must not die before it is
# stopped. Only for the tests (WATCH_PROGRAMS, set by their load_harness).
watch_programs() {
	[ -n "${WATCH_PROGRAMS:-}" ] || return 0
	touch "$WORK/programs.seen"
	note_programs
}

# note_programs: adds the server's program processes not yet noted to
# $WORK/programs.seen (when the server is watched, watch_programs).
note_programs() {
	local seen="$WORK/programs.seen"
	[ -f "$seen" ] || return 0
	programs | awk -v seen="$seen" '
		BEGIN { while ((getline l < seen) > 0) { split(l, f, " "); have[f[1] " " f[2]] = 1 } }
		!(($1 " " $3) in have) { print $1, $3, $2 }' >>"$seen"
}

# gone_programs: prints "masked-harness: NAME.fcgi (pid PID) was gone before
# the harness stopped it" for each noted process that is no longer running.
gone_programs() {
	local pid start name
	[ -f "$WORK/programs.seen" ] || return 0
	while read -r pid start name; do
		[ "$(proc_start "$pid")" = "$start" ] ||
			echo "masked-harness: $name.fcgi (pid $pid) was gone before the harness stopped it"
	done <"$WORK/programs.seen"
}

# programs_stopping: the harness (stop_server, stop_all) or a test is about
# to stop the programs: the noted ones already gone go to crash.found, and
# the others are forgotten, their end being asked for.
programs_stopping() {
	[ -n "${WORK:-}" ] && [ -f "$WORK/programs.seen" ] || return 0
	gone_programs >>"$WORK/crash.found"
	: >"$WORK/programs.seen"
}

# did_not_stop PID: records a program process still running 10 s after the
# harness's SIGTERM (stop_server kills it).
did_not_stop() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 0
	case "${exe##*/}" in
	sessions.fcgi|inbound-call.fcgi|post-event.fcgi|pre-event.fcgi)
		echo "masked-harness: ${exe##*/} (pid $1) still ran 10 s after SIGTERM: killed" \
			>>"$WORK/crash.found" ;;
	esac
}

# unacknowledged_log: $WORK/error.log after what acknowledge_crashes took.
unacknowledged_log() {
	local off=0
	[ -f "$WORK/crash.offset" ] && off=$(<"$WORK/crash.offset")
	[ -f "$WORK/error.log" ] && tail -c +$((off + 1)) "$WORK/error.log"
	return 0
}

# The evidence, as awk reads it: the lines of crash.found and of
# gone_programs (first), then the log; prints each line that no death
# declared in crash.expected accounts for (see above).
CRASH_AWK='
function grab(s, re) { return match(s, re) ? substr(s, RSTART, RLENGTH) : "" }
function num(s, re) { s = grab(s, re); return grab(s, "[0-9]+") }
# report: prints the line unless a declared death accounts for it: by pid
# when the line has one, else one line of each kind per declared death (of
# the program the line names, if it names one). sig is a signal number,
# "exit" (an exit status, which no kill explains), "exit0" (a clean exit,
# which a SIGTERM or SIGINT explains: the programs exit 0 on them) or "?"
# (not known).
function report(kind, pid, sig, name, line,   key, n) {
	if (sig == "exit0") sig = 15
	if (pid != "" && pid != "0") {
		if (pid in want && (sig == "?" || sig == want[pid])) return
	} else if (sig != "exit") {
		key = kind SUBSEP name SUBSEP sig
		n = sig == "?" ? deaths[name] : deaths[name, sig]
		if (used[key] < n) { used[key]++; return }
	}
	print "  " line
}
BEGIN {
	while ((getline l < expected) > 0) {
		split(l, f, " ")
		if (f[2] == 2) f[2] = 15
		want[f[1]] = f[2]
		deaths[""]++; deaths["", f[2]]++; deaths[f[3]]++; deaths[f[3], f[2]]++
	}
}
/^masked-harness: .* was gone/ { gone[++ngone] = $0; next }
/^masked-harness: .* still ran/ { report("stuck", "", "exit", "", $0); next }
/masked\[[0-9]+\] error [a-z-]+: fatal signal [0-9]+/ {
	s = grab($0, "masked\\[[0-9]+\\] error [a-z-]+: fatal signal [0-9]+")
	report("program", num(s, "\\[[0-9]+\\]"), num(s, "signal [0-9]+"), "", $0); next
}
/\(gw_backend\.c\.[0-9]+\) child signalled: [0-9]+/ {
	report("lighttpd", "", num($0, "signalled: [0-9]+"), "", $0); next
}
/\(gw_backend\.c\.[0-9]+\) child exited: 0 / { report("lighttpd", "", "exit0", "", $0); next }
/\(gw_backend\.c\.[0-9]+\) child (exited|died somehow)/ {
	report("lighttpd", "", "exit", "", $0); next
}
/perhaps the fastcgi process died\)/ {
	# Its pid may be the process started in place of the dead one already.
	name = grab($0, "/[a-z-]+\\.sock(-[0-9]+)?$")
	sub(/^\/(masked-)?/, "", name); sub(/\.sock(-[0-9]+)?$/, "", name)
	report("lighttpd-eof", "", "?", name, $0); next
}
/ while reading response header from upstream, .*upstream: "fastcgi:/ {
	if ($0 ~ /upstream prematurely closed connection|recv\(\) failed \(104: /) {
		name = grab($0, "/[a-z-]+\.sock:\"")
		gsub(/^\/|\.sock:"$/, "", name)
		report("nginx", "", "?", name, $0)
	}
	next
}
/systemd-socket\.py: [^ ]+: Main process exited, code=/ {
	pid = num($0, "\\(pid [0-9]+\\)")
	if ($0 ~ /code=exited, status=0\//) report("systemd", pid, "exit0", "", $0)
	else if ($0 ~ /code=exited/) report("systemd", pid, "exit", "", $0)
	else report("systemd", pid, num($0, "status=[0-9]+"), "", $0)
	next
}
/masked-spawn-fcgi: .* ended \(status [0-9]+\); restarting/ {
	st = num($0, "status [0-9]+") + 0
	name = grab($0, "[a-z-]+\\.fcgi ended"); sub(/\.fcgi ended$/, "", name)
	report("spawnfcgi", "", st > 128 ? st - 128 : st == 0 ? "exit0" : "exit", name, $0); next
}
/mod_fcgid: process .*\([0-9]+\) exit\(/ {
	pid = num($0, "\\([0-9]+\\) exit\\(")
	if ($0 ~ /exit\((shutting down|idle timeout|lifetime expired)\), (get stop signal [0-9]+|terminated by calling exit\(\), return code: 0)$/) {
		ended[pid] = 1; next
	}
	if ($0 ~ /return code: 0$/) report("fcgid", pid, "exit0", "", $0)
	else if ($0 ~ /return code: [0-9]+$/) report("fcgid", pid, "exit", "", $0)
	else report("fcgid", pid, num($0, "signal [0-9]+"), "", $0)
	next
}
/mod_fcgid: process [0-9]+ graceful kill fail/ { report("fcgid-stuck", "", "exit", "", $0); next }
/End of script output before headers: / {
	name = grab($0, "headers: [a-z-]+\\.fcgi"); sub(/^headers: /, "", name); sub(/\.fcgi$/, "", name)
	report("cgi", "", "?", name, $0); next
}
/AH01220: Timeout waiting for output from CGI script/ { report("cgi-timeout", "", "?", "", $0); next }
/==[0-9]+== Process terminating with default action of signal [0-9]+/ {
	report("valgrind", num($0, "==[0-9]+=="), num($0, "signal [0-9]+"), "", $0); next
}
END {
	# A process mod_fcgid ended itself (idle, old, shutting down) is not gone.
	for (i = 1; i <= ngone; i++) {
		pid = num(gone[i], "\\(pid [0-9]+\\)")
		if (!(pid in ended)) report("gone", pid, "?", "", gone[i])
	}
}'

# check_crashes: prints the evidence that a worker died since the file
# started (or since acknowledge_crashes), less what kill_program_on_purpose
# declared, and fails if there is any.
check_crashes() {
	local out
	out=$({ cat "$WORK/crash.found" 2>/dev/null; gone_programs; unacknowledged_log; } |
		awk -v expected="$WORK/crash.expected" "$CRASH_AWK")
	[ -z "$out" ] && return 0
	echo "a worker died (crashed, was killed or restarted) during this file:"
	printf '%s\n' "$out"
	return 1
}

# acknowledge_crashes: what check_crashes reports now is not reported again
# (for a test that crashed a worker to see it reported).
acknowledge_crashes() {
	local pid start name
	wc -c <"$WORK/error.log" >"$WORK/crash.offset"
	: >"$WORK/crash.found"
	[ -f "$WORK/programs.seen" ] || return 0
	while read -r pid start name; do
		[ "$(proc_start "$pid")" != "$start" ] || echo "$pid $start $name"
	done <"$WORK/programs.seen" >"$WORK/programs.seen.new"
	mv "$WORK/programs.seen.new" "$WORK/programs.seen"
}
