#!/usr/bin/env bats
# Twilio over TLS, as in production: the fake Twilio serves HTTPS with a
# certificate from a test CA; the programs verify it against TWILIO_CA_FILE,
# refuse one it does not vouch for, and share one CA store among a
# process's threads. Each test starts its own stack, under the harness's
# lighttpd whatever SERVER is.
# e2e: once (TLS to Twilio is our HTTP client's affair, not the web server's)

load helpers

A=+14155551234 PA=+14155550100
B=+12125551234

setup() {
	load_harness
	export WORK="$BATS_TEST_TMPDIR"
	make_ca "$WORK" ca
	make_ca "$WORK" other
	make_server_cert "$WORK" ca
	export FAKE_TLS_CERT="$WORK/server.pem" FAKE_TLS_KEY="$WORK/server.key"
	# curl (the tests' own calls to the fake) trusts the test CA.
	export CURL_CA_BUNDLE="$WORK/ca.pem"
	start_fake
	[[ "$FAKE_URL" == https://127.0.0.1:* ]]
}

teardown() {
	stop_server
	stop_all
	check_reports
}

# start_programs CA_FILE [KEY=value...]: the harness's lighttpd (PROCS
# processes of each program) and the programs, Twilio at the fake's https://
# URL.
start_programs() {
	local ca="$1"; shift
	write_env "TWILIO_CA_FILE=$ca" "$@"
	start_lighttpd
}

@test "sessions, inbound calls and post-events reach Twilio over TLS, verified with TWILIO_CA_FILE" {
	start_programs "$WORK/ca.pem"
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	sid=$(echo "$body" | jq -r .sid)
	[[ "$(echo "$body" | jq -r .url)" == https://127.0.0.1:* ]]
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == *"<Number>$B</Number>"* ]]
	webhook /conversations-post-event EventType=onConversationStateUpdated \
		StateTo=closed ConversationSid="$sid"
	[ "$status_code" = 200 ]
	[ "$body" = "$sid deleted" ]
}

@test "a certificate TWILIO_CA_FILE does not vouch for: 502 naming the certificate, nothing created" {
	start_programs "$WORK/other.pem"
	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 15
	[ "$status_code" = 502 ]
	echo "$body" | jq -e '.error == "twilio_unreachable" and (.message | test("certificate"; "i"))'
	[ "$(fake_get state | jq '.conversations | length')" = 0 ]
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == *"<Say>Sorry, we cannot connect your call right now."* ]]
}

@test "no TWILIO_CA_FILE: OpenSSL's default locations (SSL_CERT_FILE here) vouch, or refuse" {
	write_env
	SSL_CERT_FILE="$WORK/ca.pem" SSL_CERT_DIR="$WORK/nowhere" start_lighttpd
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 200 ]
	stop_all
	start_fake
	write_env
	SSL_CERT_FILE="$WORK/other.pem" SSL_CERT_DIR="$WORK/nowhere" start_lighttpd
	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 15
	[ "$status_code" = 502 ]
	echo "$body" | jq -e '.message | test("certificate"; "i")'
}

@test "TWILIO_CA_FILE that cannot be read: --check names it" {
	write_env "TWILIO_CA_FILE=$WORK/missing.pem"
	run env ENV_FILE="$ENV_FILE" "$BUILD/sessions.fcgi" --check
	[ "$status" = 1 ]
	[[ "$output" == *"TWILIO_CA_FILE: cannot read $WORK/missing.pem"* ]]
}

@test "a process's threads share one CA store: 8 threads with TLS connections, RssAnon under 8 MiB" {
	# A store the size of the system's (about 140 CAs, a megabyte in
	# memory), which libcurl would load once per thread.
	[ -r /etc/ssl/certs/ca-certificates.crt ] || skip "no system CA bundle"
	! grep -q __asan_init "$BUILD/sessions.fcgi" ||
		skip "AddressSanitizer's shadow memory says nothing of ours"
	[ -z "${WRAP:-}" ] || skip "the programs run under ${WRAP%% *}: RSS says nothing of ours"
	cat /etc/ssl/certs/ca-certificates.crt "$WORK/ca.pem" >"$WORK/bundle.pem"
	PROCS=1 start_programs "$WORK/bundle.pem" WORKER_THREADS=8
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data '{"latency_ms": 300}' "$FAKE_URL/_fake/config" >/dev/null
	# 16 sessions at once: every thread busy, each on its own connections.
	jobs=
	for i in $(seq 10 25); do
		post_session "{\"addresses\":[\"+141555512$i\"]}" -m 20 &
		jobs="$jobs $!"
	done
	wait $jobs
	[ "$(fake_get state | jq '.conversations | length')" = 16 ]
	pid=$(program_pids sessions)
	[ -n "$pid" ]
	anon=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
	echo "# RssAnon $anon kB with 8 threads" >&3
	[ "$anon" -lt $((8 * 1024)) ]
}
