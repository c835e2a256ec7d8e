#!/usr/bin/env bats
# What the configurations of deploy/ promise beyond the endpoints' behaviour
# (which every other .bats file checks under each server): the workers each
# gives each program, the user and the sockets, the spawn-fcgi script's
# commands, the shared-hosting .htaccess under mod_fcgid, .env never served,
# and the TLS proxy in front. Each test starts its own servers.
# e2e: once (starts the servers itself)

load helpers

A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
DIAL='<Dial callerId="+12125550100"><Number>+12125551234</Number></Dial>'

setup() { own_servers_setup; }
teardown() { own_servers_teardown; }

# Each endpoint once, as Twilio and a backend would call it.
endpoints_work() {
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ] || { echo "sessions: $status_code $body"; return 1; }
	sid=$(echo "$body" | jq -r .sid)
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ] && [[ "$body" == *"$DIAL"* ]] ||
		{ echo "inbound-call: $status_code $body"; return 1; }
	webhook /conversations-post-event EventType=onConversationStateUpdated \
		StateTo=closed ConversationSid="$sid"
	[ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ] ||
		{ echo "post-event: $status_code $body"; return 1; }
	# A text holding a phone number, from a participant: redacted.
	webhook /conversations-pre-event EventType=onMessageAdd \
		ConversationSid="$sid" Author="$A" Source=SMS \
		ParticipantSid=MB00000000000000000000000000000001 \
		Body='call me on 415 555 0199'
	[ "$status_code" = 200 ] && [ "$body" = '{"body":"call me on [redacted]"}' ] ||
		{ echo "pre-event: $status_code $body"; return 1; }
}

threads_of() { sed -n 's/^Threads:[[:space:]]*//p' "/proc/$1/status"; }

user_of() { ps -o user= -p "$1" | tr -d ' '; }

# The user the configurations run the programs as (see tests/lib/servers.bash).
want_user() { if is_root; then echo "$RUN_USER"; else id -un; fi; }

@test "lighttpd (deploy/lighttpd): endpoints; 2, 4, 1 and 2 processes; as www-data" {
	start_server lighttpd-deploy
	endpoints_work
	[ "$(program_pids sessions | wc -l)" = 2 ]
	[ "$(program_pids inbound-call | wc -l)" = 4 ]
	[ "$(program_pids post-event | wc -l)" = 1 ]
	[ "$(program_pids pre-event | wc -l)" = 2 ]
	for pid in $(program_pids inbound-call); do
		[ "$(user_of "$pid")" = "$(want_user)" ]
		[ "$(threads_of "$pid")" = 9 ]		# WORKER_THREADS=8, and main
	done
}

@test "systemd (deploy/systemd): sockets 0660 for the web server; inbound-call 16 workers, the others 4; fd 0" {
	start_server nginx-systemd
	endpoints_work
	for p in sessions inbound-call post-event pre-event; do
		if is_root; then
			[ "$(stat -c '%a %U %G' "$WORK/run/$p.sock")" = "660 $RUN_USER $RUN_USER" ]
		fi
		pid=$(program_pids "$p")
		[ -n "$pid" ]
		[ "$(user_of "$pid")" = "$(want_user)" ]
		# StandardInput=socket: the socket on fd 0, no LISTEN_FDS.
		[[ "$(readlink "/proc/$pid/fd/0")" == socket:* ]]
		! tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^LISTEN_FDS='
	done
	[ "$(threads_of "$(program_pids sessions)")" = 5 ]
	[ "$(threads_of "$(program_pids inbound-call)")" = 17 ]
	[ "$(threads_of "$(program_pids post-event)")" = 5 ]
	[ "$(threads_of "$(program_pids pre-event)")" = 5 ]
}

@test "spawn-fcgi (deploy/spawn-fcgi): inbound-call 16 workers; status, stop, start" {
	start_server nginx-spawnfcgi
	endpoints_work
	[ "$(threads_of "$(program_pids sessions)")" = 5 ]
	[ "$(threads_of "$(program_pids inbound-call)")" = 17 ]
	[ "$(threads_of "$(program_pids post-event)")" = 3 ]
	[ "$(threads_of "$(program_pids pre-event)")" = 9 ]
	[ "$(user_of "$(program_pids sessions)")" = "$(want_user)" ]
	run masked_spawn_fcgi status
	[ "$status" = 0 ]
	[ "$(grep -c ': running (pid' <<<"$output")" = 4 ]
	# The programs stop on purpose: the crash detector checks those it
	# noted are still running, then forgets them (tests/lib/harness.bash).
	programs_stopping
	run masked_spawn_fcgi stop
	[ "$status" = 0 ]
	[ -z "$(program_pids sessions)$(program_pids inbound-call)$(program_pids post-event)$(program_pids pre-event)" ]
	run masked_spawn_fcgi status
	[ "$status" = 3 ]
	# Started again, on the same sockets nginx still points at.
	run masked_spawn_fcgi start
	[ "$status" = 0 ]
	SERVER_PIDS="$SERVER_PIDS $(cat "$WORK"/run/*.pid | tr '\n' ' ')"
	endpoints_work
}

@test "Apache mod_fcgid (deploy/apache): one request per process, at most MaxProcesses of each" {
	start_server apache-fcgid
	endpoints_work
	pid=$(program_pids sessions | head -1)
	[ "$(user_of "$pid")" = "$(want_user)" ]
	[ "$(threads_of "$pid")" = 1 ]
	# Slow Twilio: 6 calls at once get up to 6 inbound-call processes (16
	# allowed); 6 sessions at once, never more than 4 sessions processes.
	curl -sf -X POST -H 'Content-Type: application/json' --data '{"latency_ms": 1500}' \
		"$FAKE_URL/_fake/config" >/dev/null
	jobs=
	for i in 1 2 3 4 5 6; do
		webhook /inbound-call From="$A" Called="$PA" To="$PA" &
		jobs="$jobs $!"
		post_session "{\"addresses\":[\"+1415555120$i\"]}" &
		jobs="$jobs $!"
	done
	calls=0 sessions=0
	while for pid in $jobs; do kill -0 "$pid" 2>/dev/null && break; pid=; done; [ -n "$pid" ]; do
		n=$(program_pids inbound-call | wc -l); [ "$n" -le "$calls" ] || calls=$n
		n=$(program_pids sessions | wc -l); [ "$n" -le "$sessions" ] || sessions=$n
		sleep 0.2
	done
	for pid in $jobs; do wait "$pid"; done
	echo "at most: inbound-call $calls, sessions $sessions"
	[ "$calls" -ge 5 ]
	[ "$sessions" -le 4 ]
}

@test "shared hosting (deploy/apache/shared-hosting): the .htaccess under mod_fcgid; .env not served" {
	start_server apache-htaccess-fcgid
	endpoints_work
	# Kept running by mod_fcgid, in the folder, reading .env there.
	pid=$(program_pids sessions)
	[ -n "$pid" ]
	[ "$(readlink "/proc/$pid/cwd")" = "$WORK/www" ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/.env")" = 403 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/.htaccess")" = 403 ]
}

@test "shared hosting under plain CGI: .env not served, programs not listed" {
	start_server apache-cgi
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/.env")" = 403 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/")" != 200 ]
	# A program reached by its file name is not an endpoint.
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE_URL/sessions.fcgi")" = 404 ]
}

@test "TLS proxy (deploy/tls-proxy): signed webhooks pass with DOMAIN the public name" {
	start_server lighttpd
	start_tls_proxy
	tls() {
		curl -sk --resolve "$DOMAIN:$TLS_PORT:127.0.0.1" -o - -w '\n%{http_code}' "$@"
	}
	fake_seed "{\"conversations\":[{\"participants\":[{\"address\":\"$A\",\"proxy_address\":\"$PA\"},{\"address\":\"$B\",\"proxy_address\":\"$PB\"}]}]}" >/dev/null
	# Signed by Twilio for the public URL (port 443), query string and all.
	HOOK_BASE="https://$DOMAIN:$TLS_PORT" webhook "/inbound-call?tenant=7&x=a%20b" From="$A" Called="$PA" \
		-- -k --resolve "$DOMAIN:$TLS_PORT:127.0.0.1"
	[[ "$body" == *"$DIAL"* ]] && [ "$status_code" = 200 ] || { echo "$status_code $body"; false; }
	# Signed for the backend's own URL: refused.
	SIGN_URL="$BASE_URL/inbound-call" HOOK_BASE="https://$DOMAIN:$TLS_PORT" webhook /inbound-call \
		From="$A" Called="$PA" -- -k --resolve "$DOMAIN:$TLS_PORT:127.0.0.1"
	[ "$status_code" = 403 ]
	# Basic auth reaches /sessions.
	out=$(tls -u "$AUTH_USER:$AUTH_PASS" -H 'Content-Type: application/json' \
		--data "{\"addresses\":[\"+16045551234\"]}" "https://$DOMAIN:$TLS_PORT/sessions")
	[ "${out##*$'\n'}" = 200 ] || { echo "$out"; false; }
	# Nothing else is proxied.
	out=$(tls "https://$DOMAIN:$TLS_PORT/")
	[ "${out##*$'\n'}" = 404 ]
}
