#!/usr/bin/env bats
# The checks each of README.md's Deploying recipes ends with, made the way
# the README says, for each server: the smoke test (its very command line,
# read from the README, with the test's port for port 80), where a request's
# log line lands, how a changed env file takes effect (the server's own
# equivalent of the README's restart), and the reaper as its timer or cron
# line runs it. Each test starts its own servers.
# e2e: once (starts the servers itself)

load helpers

setup() { own_servers_setup; }
teardown() { own_servers_teardown; }

# readme_lines SECTION PREFIX: the lines of README section "### SECTION"
# that start with PREFIX, in its code blocks.
readme_lines() {
	awk -v sec="### $1" -v pre="$2" '
		/^### / { on = ($0 == sec) }
		/^## / && !/^### / { on = 0 }
		on && index($0, pre) == 1 { print }' "$TOP/README.md"
}

# smoke SECTION: the recipe's smoke test as written, against this server;
# its answer must be the one the README shows under it.
smoke() {
	local cmd want got
	cmd=$(readme_lines "$1" "curl -s -d '' -H 'Host: DOMAIN'")
	want=$(readme_lines "$1" '# {"error"' | sed 's/^# //')
	[ -n "$cmd" ] && [ -n "$want" ] || { echo "no smoke test in README section $1" >&2; return 1; }
	cmd=${cmd//DOMAIN/$DOMAIN}
	cmd=${cmd//http:\/\/127.0.0.1/$BASE_URL}
	got=$(eval "$cmd")
	[ "$got" = "$want" ] || { echo "smoke test: $cmd: got $got, want $want" >&2; return 1; }
}

# logged_in FILE: a request's log line lands in FILE (a refused webhook
# says so at warn, the level every deployment logs).
logged_in() {
	local i
	curl -s -o /dev/null -X POST --data 'From=x' -H "Host: $DOMAIN" "$BASE_URL/inbound-call"
	for i in $(seq 50); do
		grep -q 'inbound-call: webhook without a Twilio signature: refused' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "the log line is not in $1" >&2
	return 1
}

# new_password: changes AUTH_PASSWORD in the env file (a changed
# /etc/masked/env), for applied_password to see.
new_password() {
	sed -i "s/^AUTH_PASSWORD=.*/AUTH_PASSWORD='changed pass'/" "$ENV_FILE"
}

# applied_password: the changed password is in effect (within 10 s: the
# server starts the programs anew as requests come), the old one is not.
applied_password() {
	local code i
	for i in $(seq 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -u "$AUTH_USER:changed pass" \
			-H 'Content-Type: application/json' --data '{}' "$BASE_URL/sessions")
		[ "$code" = 400 ] && break
		sleep 0.2
	done
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -u "$AUTH_USER:$AUTH_PASS" \
		-H 'Content-Type: application/json' --data '{}' "$BASE_URL/sessions")
	[ "$code" = 401 ] || { echo "the old password still works ($code)" >&2; return 1; }
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -u "$AUTH_USER:changed pass" \
		-H 'Content-Type: application/json' --data '{}' "$BASE_URL/sessions")
	[ "$code" = 400 ] || { echo "the new password is refused ($code)" >&2; return 1; }
}

# reaper_runs USER: the reaper's command line, from the recipe's cron line
# (or the timer's service), as USER: it reads the configuration and asks
# Twilio, and says what it did.
reaper_runs() {
	local user=$1
	is_root || user=$(id -un)
	run runuser -u "$user" -- env ENV_FILE="$ENV_FILE" "$BUILD/sessions.fcgi" --reap
	[ "$status" = 0 ] || { echo "$output" >&2; return 1; }
	[[ "$output" == *"reap: 0 conversations examined, 0 half-made, 0 expired, 0 deleted, 0 failed"* ]]
}

@test "lighttpd: smoke test, logs in breakage.log, restart applies the env file, reaper from cron" {
	start_server lighttpd-deploy
	smoke "lighttpd (lighttpd starts the programs)"
	readme_lines "lighttpd (lighttpd starts the programs)" 'tail /var/log/lighttpd/breakage.log' | grep -q .
	grep -q '^server.breakagelog = "/var/log/lighttpd/breakage.log"' "$TOP/deploy/lighttpd/masked.conf"
	logged_in "$WORK/log/breakage.log"
	readme_lines "lighttpd (lighttpd starts the programs)" 'systemctl restart lighttpd' | grep -q 'after changing'
	new_password
	stop_server
	start_server lighttpd-deploy
	applied_password
	readme_lines "lighttpd (lighttpd starts the programs)" "echo '*/5 * * * * www-data ENV_FILE=/etc/masked/env /usr/local/lib/masked/sessions.fcgi --reap'" | grep -q .
	reaper_runs www-data
}

@test "nginx + systemd: smoke test with Host:, logs in the journal, restart applies the env file, the reaper's timer" {
	start_server nginx-systemd
	smoke "nginx, the programs under systemd socket activation"
	# The units log to the journal (here: the emulator's output, the test's log).
	grep -q '^StandardError=journal' "$TOP/deploy/systemd/masked@.service"
	logged_in "$WORK/error.log"
	# systemctl restart 'masked@*.service': the programs stop, the sockets stay,
	# and the next request starts them again, reading the changed file.
	new_password
	old=$(program_pids sessions)
	# Declared to the crash detector (tests/lib/harness.bash): a stop, not a crash.
	kill_program_on_purpose sessions
	for i in $(seq 50); do alive "$old" || break; sleep 0.1; done
	! alive "$old"
	applied_password
	# The timer's service runs the reaper as masked (RUN_USER here).
	grep -q '^ExecStart=/usr/local/lib/masked/sessions.fcgi --reap' "$TOP/deploy/systemd/masked-reap.service"
	grep -q '^OnUnitActiveSec=5min' "$TOP/deploy/systemd/masked-reap.timer"
	readme_lines "nginx, the programs under systemd socket activation" 'systemctl enable --now masked-reap.timer' | grep -q .
	reaper_runs "$RUN_USER"
}

@test "nginx + spawn-fcgi: smoke test, logs in LOG_FILE, masked-spawn-fcgi restart applies the env file, reaper from cron" {
	start_server nginx-spawnfcgi
	smoke "nginx, the programs under spawn-fcgi (no systemd)"
	grep -q 'LOG_FILE:=/var/log/masked.log' "$TOP/deploy/spawn-fcgi/masked-spawn-fcgi"
	logged_in "$WORK/error.log"
	readme_lines "nginx, the programs under spawn-fcgi (no systemd)" 'masked-spawn-fcgi restart' | grep -q .
	new_password
	# The programs stop on purpose: the crash detector checks those it
	# noted are still running, then forgets them (tests/lib/harness.bash).
	programs_stopping
	masked_spawn_fcgi restart >>"$WORK/error.log" 2>&1
	SERVER_PIDS="$SERVER_PIDS $(cat "$WORK"/run/*.pid | tr '\n' ' ')"
	for i in $(seq 100); do [ -S "$WORK/run/sessions.sock" ] && [ -n "$(program_pids sessions)" ] && break; sleep 0.05; done
	applied_password
	reaper_runs "$RUN_USER"
}

@test "Apache mod_fcgid: smoke test, logs in Apache's error log, a reload applies the env file, reaper from cron" {
	start_server apache-fcgid
	smoke "Apache with mod_fcgid (Apache starts the programs)"
	logged_in "$WORK/error.log"
	readme_lines "Apache with mod_fcgid (Apache starts the programs)" 'systemctl reload apache2' | grep -q .
	new_password
	# systemctl reload apache2 is a graceful restart.
	apache2 -f "$WORK/apache.conf" -k graceful
	applied_password
	reaper_runs www-data
}

@test "shared hosting, plain CGI: a request's log line is in Apache's error log, as its README says" {
	start_server apache-cgi
	grep -q "write to the host's error log" "$TOP/deploy/apache/shared-hosting/README.md"
	logged_in "$WORK/error.log"
}

@test "LOG_TARGET=file: a request's log line is in that file, and nowhere else" {
	write_env "LOG_TARGET=file:$WORK/masked.log"
	start_server lighttpd
	logged_in "$WORK/masked.log"
	! grep -q 'webhook without a Twilio signature' "$WORK/error.log"
	# The secrets check of the teardown reads the file too.
	cat "$WORK/masked.log" >>"$WORK/error.log"
}
