#!/usr/bin/env bats
# The crash detector (check_crashes, tests/lib/harness.bash), under each
# server: a worker that dies of SIGSEGV or SIGKILL while a file runs is
# reported, with what the server (and the program itself) logged of it; one
# killed on purpose (kill_program_on_purpose) is not, nor is a run without a
# crash. Under plain CGI the program is killed in the middle of a request (a
# slow Twilio), the only time it exists. Each test acknowledges what it
# provoked, so that the file's own teardown (check_reports) passes.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 PA=+14155550100
B=+12125551234

cgi() { [ "${SERVER:-lighttpd}" = apache-cgi ]; }

# Built with a sanitizer: its report, then exit status 1, for a SIGSEGV.
sanitized() { grep -qE '__(asan|tsan)_init' "$BUILD/sessions.fcgi"; }

# server_line SIGNAL|exit: what the server logs when a program dies of
# SIGNAL (a number), or exits with a status other than 0.
server_line() {
	local sig=$1
	case "${SERVER:-lighttpd}:$sig" in
	lighttpd*:exit)		echo '\(gw_backend\.c\.[0-9]+\) child exited: [1-9]' ;;
	lighttpd*)		echo "\\(gw_backend\\.c\\.[0-9]+\\) child signalled: $sig\$" ;;
	nginx-systemd:exit)	echo 'Main process exited, code=exited, status=[1-9][0-9]*/FAILURE' ;;
	nginx-systemd:*)	echo "Main process exited, code=(killed|dumped), status=$sig/" ;;
	nginx-spawnfcgi:exit)	echo 'ended \(status [1-9][0-9]?\); restarting' ;;
	nginx-spawnfcgi:*)	echo "ended \\(status $((128 + sig))\\); restarting" ;;
	apache-fcgid:exit)	echo 'mod_fcgid: process .* exit\(.*\), terminated by calling exit\(\), return code: [1-9]' ;;
	apache-fcgid:*)		echo "mod_fcgid: process .* exit\\(.*\\), get (unexpected |stop )?signal $sig\\b" ;;
	apache-cgi:*)		echo 'End of script output before headers: [a-z-]+\.fcgi' ;;
	esac
}

# wait_logged ERE N: until the log (what is not acknowledged) holds N lines
# matching ERE, at most 15 s; fails, showing the log, if it never does.
wait_logged() {
	local i
	for i in $(seq 150); do
		[ "$(unacknowledged_log | grep -cE "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "never logged $2 times: $1"
	unacknowledged_log | grep -v ' debug ' | tail -20
	return 1
}

# slow_requests PROGRAM...: starts one request to each PROGRAM (sessions,
# inbound-call) that waits 3 s for Twilio; waits until a process of each
# serves it. Sets REQ_PIDS, the curl jobs.
slow_requests() {
	local p i
	# Both look up the caller's conversations first.
	fault '{"path": "/ParticipantConversations$", "delay_ms": 3000, "times": -1}'
	REQ_PIDS=
	for p in "$@"; do
		case $p in
		sessions)	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 20 & ;;
		inbound-call)	webhook /inbound-call From="$A" Called="$PA" To="$PA" & ;;
		esac
		REQ_PIDS="$REQ_PIDS $!"
	done
	for p in "$@"; do
		for i in $(seq 100); do
			[ -n "$(program_pids "$p")" ] && break
			sleep 0.05
		done
	done
	# Each has reached the fake (its process started and read its request).
	for i in $(seq 100); do
		[ "$(fake_get stats | jq .in_flight)" -ge $# ] && return 0
		sleep 0.05
	done
	echo "the slow requests never reached Twilio: $(fake_get stats)"
	return 1
}

# one_worker PROGRAM [busy]: sets WORKER to the pid of one process of
# PROGRAM: serving a slow request (busy, and always under plain CGI, where
# there is no other), else idle after one request (systemd and mod_fcgid
# start it on demand).
one_worker() {
	REQ_PIDS=
	if [ "${2:-}" = busy ] || cgi; then
		slow_requests "$1" || return 1
	else
		post_session "{\"addresses\":[\"$A\"]}"
		[ "$status_code" = 200 ] || return 1
	fi
	WORKER=$(program_pids "$1" | head -1)
	[ -n "$WORKER" ] || return 1
	# Noted, as reset_fake notes those that run when a test starts.
	note_programs
}

@test "no crash: requests to each endpoint, and nothing is reported" {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	webhook /conversations-post-event EventType=onConversationStateUpdated \
		StateTo=closed ConversationSid="$sid"
	[ "$status_code" = 200 ]
	[ -n "$(unacknowledged_log)" ]
	run check_crashes
	[ "$status" = 0 ]
	[ -z "$output" ]
}

@test "a sessions.fcgi worker killed with SIGSEGV is reported, with what the server logged" {
	one_worker sessions
	pid=$WORKER
	kill -SEGV "$pid"
	if sanitized; then died=exit; else died=11; fi
	wait_logged "$(server_line "$died")" 1
	wait $REQ_PIDS || true
	run check_crashes
	[ "$status" = 1 ]
	[[ "$output" == "a worker died (crashed, was killed or restarted) during this file:"* ]]
	grep -qE "$(server_line "$died")" <<<"$output"
	if ! sanitized; then
		# The program's own last words.
		grep -qE "masked\\[$pid\\] error sessions: fatal signal 11 \\(Segmentation fault\\)" <<<"$output"
	fi
	# Where the server keeps its programs, the process is missed as well.
	cgi || grep -qF "masked-harness: sessions.fcgi (pid $pid) was gone" <<<"$output"
	acknowledge_crashes
	run check_crashes
	[ "$status" = 0 ]
}

@test "a sessions.fcgi worker killed with SIGKILL in the middle of a request is reported" {
	one_worker sessions busy
	pid=$WORKER
	kill -KILL "$pid"
	wait_logged "$(server_line 9)" 1
	wait $REQ_PIDS || true
	run check_crashes
	[ "$status" = 1 ]
	grep -qE "$(server_line 9)" <<<"$output"
	cgi || grep -qF "masked-harness: sessions.fcgi (pid $pid) was gone" <<<"$output"
	acknowledge_crashes
	run check_crashes
	[ "$status" = 0 ]
}

@test "a kill declared with kill_program_on_purpose is not reported; one beside it is" {
	# Both in the middle of a request: what the server says of the request
	# is evidence too.
	slow_requests sessions inbound-call
	note_programs
	declared=$(program_pids sessions | wc -l)
	other=$(program_pids inbound-call | head -1)
	[ "$declared" -ge 1 ] && [ -n "$other" ]
	kill_program_on_purpose -KILL sessions
	kill -KILL "$other"
	# Every death logged by the server, then only the undeclared one reported.
	wait_logged "$(server_line 9)" $((declared + 1))
	wait $REQ_PIDS || true
	run check_crashes
	[ "$status" = 1 ]
	[ "$(grep -cE "$(server_line 9)" <<<"$output")" = 1 ]
	[[ "$output" != *sessions* ]]
	cgi || grep -qF "masked-harness: inbound-call.fcgi (pid $other) was gone" <<<"$output"
	acknowledge_crashes
	run check_crashes
	[ "$status" = 0 ]
}
