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

# Starts lighttpd with the three programs (bin-path); sets BASE_URL.
# PORT may be given; PROCS is max-procs per program (default 2).
start_lighttpd() {
	local port="${PORT:-$(free_port)}" procs="${PROCS:-2}" prog path
	local conf="$WORK/lighttpd.conf"
	mkdir -p "$WORK/www"
	{
		echo "server.document-root = \"$WORK/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $port"
		echo "server.errorlog = \"$WORK/error.log\""
		echo "server.pid-file = \"$WORK/lighttpd.pid\""
		echo "server.max-request-size = 1024"
		echo 'server.modules = ("mod_fastcgi")'
		echo 'fastcgi.server = ('
		for prog in sessions:/sessions inbound-call:/inbound-call \
		    post-event:/conversations-post-event; do
			path=${prog#*:}
			prog=${prog%%:*}
			echo "  \"$path\" => (( \"bin-path\" => \"${WRAP:+$WRAP }$BUILD/$prog.fcgi\","
			echo "    \"socket\" => \"$WORK/$prog.sock\", \"max-procs\" => $procs,"
			echo "    \"check-local\" => \"disable\","
			echo "    \"bin-environment\" => (\"ENV_FILE\" => \"$ENV_FILE\") )),"
		done
		echo ')'
	} >"$conf"
	run_lighttpd "$conf" "$port"	# tests/lib/servers.bash
}

stop_all() {
	local i kids=
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

# Fails, showing them, if the programs logged sanitizer or valgrind reports.
check_reports() {
	local log="$WORK/error.log"
	[ -f "$log" ] || return 0
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|==[0-9]+== (Invalid|Conditional|Use of|Mismatched)|definitely lost: [1-9]' "$log"; then
		grep -E -A30 'Sanitizer|runtime error:|==[0-9]+==' "$log" | head -80 >&2
		return 1
	fi
	# No secret and no whole phone number in any line the programs wrote.
	# (the header names followed by a value: a header dumped whole)
	local secrets=("$AUTH_TOKEN" "$AUTH_PASS" "${SECONDARY_TOKEN:-}"
		"$(printf '%s:%s' "$AUTH_USER" "$AUTH_PASS" | base64 -w0)"
		"Authorization: " "X-Twilio-Signature: " "HTTP_AUTHORIZATION")
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
