# Shared by the .bats files: one fake Twilio and one lighttpd per file.

# The harness, its crash detector watching the programs' processes
# (WATCH_PROGRAMS; `make run`, which sources it too, is not watched: Ctrl-C
# stops its programs with the rest).
load_harness() {
	source "$BATS_TEST_DIRNAME/../lib/harness.bash"
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

stop_stack() {
	load_harness
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

# post_session JSON [curl args...]: sets $status_code and $body.
post_session() {
	local json="$1"; shift
	body=$(curl -s -o - -w '\n%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
		-H 'Content-Type: application/json' --data-binary "$json" "$@" \
		"$BASE_URL/sessions")
	status_code=${body##*$'\n'}
	body=${body%$'\n'*}
}

# webhook PATH NAME=VALUE...: a correctly signed Twilio webhook; sets
# $status_code and $body. SIGN_URL/SIGN_TOKEN override what is signed.
webhook() {
	local path="$1"; shift
	local url="${SIGN_URL:-https://$DOMAIN$path}" sig args=() kv
	sig=$("$PY" -S "$BATS_TEST_DIRNAME/../lib/sign.py" "${SIGN_TOKEN:-$AUTH_TOKEN}" "$url" "$@")
	for kv in "$@"; do args+=(--data-urlencode "$kv"); done
	body=$(curl -s -o - -w '\n%{http_code}' -H "X-Twilio-Signature: ${SIGNATURE:-$sig}" \
		"${args[@]}" "$BASE_URL$path")
	status_code=${body##*$'\n'}
	body=${body%$'\n'*}
}

# How many conversations the fake holds.
conversation_count() { fake_get state | jq '.conversations | length'; }
