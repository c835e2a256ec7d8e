#!/usr/bin/env bash
# `make bench` / `make soak`: starts lighttpd with the built programs and the
# fake Twilio, runs tests/bench/loadgen.py once per scenario, and prints a
# table, the targets beside the figures, and notes; last, the contact-detail
# filter's messages per second and the time to rank the pool for one
# participant, each on one core. Timings never fail it.
#
#   tests/bench/bench.sh [--soak] [BUILD]
#
# Settings (environment):
#   LATENCY_MS=50        latency the fake Twilio adds to every API call
#   BENCH_CONNECT_DELAY_MS=2*LATENCY_MS  added to the first answer on each new
#                        connection to the fake: the TCP and TLS handshakes'
#                        round trips that a new connection to Twilio costs
#                        (0: new connections are free, as on loopback)
#   PROCS=2              lighttpd max-procs per program
#   WORKER_THREADS=16    requests served at once per process
#   SOAK=1               also run the soak after the scenarios (--soak: only it)
#   BENCH_SCENARIOS      scenario keys to run (default: all; loadgen.py list),
#                        e.g. "fetch add log": the session API (GET /sessions/{id},
#                        POST .../participants, GET .../messages); "ops":
#                        every operation of the session API one request at
#                        a time, a table row each (n, ok, err, p50, p99,
#                        Twilio calls, round trips, p50/L)
#   BENCH_OPS_N=30       requests of each operation in the "ops" scenario
#   BENCH_LOG_LEVEL=debug   programs' LOG_LEVEL (debug logs each Twilio call)
#   BENCH_TLS=1          the fake Twilio serves HTTPS (a certificate from a CA
#                        made for the run), verified against the system's CAs
#                        plus that one, as in production (the default;
#                        BENCH_TLS=0: plain HTTP)
#   BENCH_SPARSE_GAP_S=5 BENCH_SPARSE_S=60  the "sparse" scenario: one 2-party
#                        session every GAP seconds for S seconds
#   BENCH_WARMUP_MIN=32  each scenario first runs max(this, 10% of its count)
#                        operations of its kind, not counted (sparse: one)
#   BENCH_OPERATOR_MS=LATENCY_MS  how long the operator's backend
#                        (tests/operator/operator.py) takes to answer the
#                        intercept callback of the "preevent-op" scenario
#   BENCH_WORK=BUILD/bench  scratch folder: lighttpd config, error.log, results
#   SOAK_REQUESTS=100000 SOAK_RESET_EVERY=5000 SOAK_CONCURRENCY=2
set -euo pipefail

MODE=bench
if [ "${1:-}" = --soak ]; then
	MODE=soak
	shift
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -gt 0 ]; then
	BUILD=$(cd "$1" 2>/dev/null && pwd || echo "$1")
else
	BUILD=$TOP/build
fi
if [ $# -eq 0 ] || [ ! -x "$BUILD/sessions.fcgi" ] ||
    [ ! -x "$BUILD/inbound-call.fcgi" ] || [ ! -x "$BUILD/post-event.fcgi" ]; then
	make -C "$TOP" --no-print-directory BUILD="$BUILD" all >&2
fi

LATENCY_MS=${LATENCY_MS:-50}
BENCH_TLS=${BENCH_TLS:-1}
BENCH_CONNECT_DELAY_MS=${BENCH_CONNECT_DELAY_MS:-$(awk -v l="$LATENCY_MS" 'BEGIN { print 2 * l }')}
PROCS=${PROCS:-2}
WORKER_THREADS=${WORKER_THREADS:-16}
BENCH_LOG_LEVEL=${BENCH_LOG_LEVEL:-debug}
LOADGEN="$TOP/tests/bench/loadgen.py"
export WORK="${BENCH_WORK:-$BUILD/bench}"
OUT="$WORK/results"

for cmd in lighttpd curl python3; do
	command -v "$cmd" >/dev/null || { echo "bench: $cmd is not installed (make deps)" >&2; exit 1; }
done
case "$LATENCY_MS$PROCS$WORKER_THREADS$BENCH_CONNECT_DELAY_MS" in
*[!0-9.]*) echo "bench: LATENCY_MS, PROCS, WORKER_THREADS and BENCH_CONNECT_DELAY_MS must be numbers" >&2; exit 2 ;;
esac

source "$TOP/tests/lib/harness.bash"

# 24 numbers: NANP area codes across the US and Canada, and two UK numbers,
# so that no scenario exhausts the pool by accident.
BENCH_POOL='["+14155550100","+14155550101","+12125550100","+12125550101",
"+13125550100","+16175550100","+12065550100","+13055550100","+12135550100",
"+13035550100","+14045550100","+15125550100","+16025550100","+17025550100",
"+12145550100","+16465550100","+17185550100","+15035550100","+16045550100",
"+14165550100","+15145550100","+14035550100","+442071838750","+442071838751"]'
BENCH_POOL=$(printf '%s' "$BENCH_POOL" | tr -d '\n')

PROG_PIDS=
cleanup() {
	set +e
	trap - EXIT INT TERM
	stop_all
	stop_operator
	reap_programs
}

# After lighttpd is gone, its programs end their current request and exit;
# waits for them (and ends, by pid, any that does not within 5 s).
reap_programs() {
	local i p left
	for i in $(seq 100); do
		left=
		for p in $PROG_PIDS; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.05
	done
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	PROG_PIDS=
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# BENCH_TLS=1: a CA, a certificate for 127.0.0.1 signed by it for the fake,
# and a CA file of the system's CAs plus that one (a store of production's
# size) for the programs; the bench's own calls to the fake trust the CA.
TLS_ENV=
setup_tls() {
	local d="$WORK/tls"
	mkdir -p "$d"
	make_ca "$d" ca && make_server_cert "$d" ca ||
		{ echo "bench: openssl failed" >&2; exit 1; }
	cat /etc/ssl/certs/ca-certificates.crt "$d/ca.pem" >"$d/bundle.pem" 2>/dev/null ||
		cp "$d/ca.pem" "$d/bundle.pem"
	export FAKE_TLS_CERT="$d/server.pem" FAKE_TLS_KEY="$d/server.key"
	export CURL_CA_BUNDLE="$d/ca.pem"
	TLS_ENV="TWILIO_CA_FILE=$d/bundle.pem"
}

# start_stack PROCS WORKER_THREADS LOG_LEVEL
# Besides the four programs, pre-event.fcgi a second time at
# /op/conversations-pre-event, configured to ask the operator's backend
# (INTERCEPT_CALLBACK_URL): the "preevent-op" scenario.
start_stack() {
	local secret=bench-operator-secret-0123456789
	stop_operator
	start_fake
	start_operator "$secret"
	# The defaults of every RETRY_* setting and of the deadline (the harness
	# writes test values; later lines win).
	write_env "NUMBER_POOL=$BENCH_POOL" "WORKER_THREADS=$2" "LOG_LEVEL=$3" \
		RETRY_MAX_ATTEMPTS=5 RETRY_MIN_TIMEOUT_MS=1000 RETRY_FACTOR=2 \
		RETRY_MAX_TIMEOUT_MS=360000 REQUEST_TIMEOUT_MS=10000 $TLS_ENV
	{ cat "$ENV_FILE"; echo "CALLBACK_SECRET=$secret"
	  echo "INTERCEPT_CALLBACK_URL=$OP_URL/intercept"; } >"$WORK/env.op"
	LIGHTTPD_EXTRA="  \"/op/conversations-pre-event\" => (( \"bin-path\" => \"$BUILD/pre-event.fcgi\",
    \"socket\" => \"$WORK/pre-event-op.sock\", \"max-procs\" => $1,
    \"check-local\" => \"disable\",
    \"bin-environment\" => (\"ENV_FILE\" => \"$WORK/env.op\") )),"
	# The programs read the environment first: keep it in step with the file.
	WORKER_THREADS=$2 LOG_LEVEL=$3 PROCS=$1 LIGHTTPD_EXTRA="$LIGHTTPD_EXTRA" \
	    start_lighttpd
	curl -sf -X POST -H 'Content-Type: application/json' --data \
		"{\"delay_ms\": ${BENCH_OPERATOR_MS:-$LATENCY_MS}}" "$OP_URL/_op/config" >/dev/null
	curl -sf -X POST -H 'Content-Type: application/json' --data \
		'{"path": "/intercept", "status": 200, "body": {"action": "allow"}}' \
		"$OP_URL/_op/answer" >/dev/null
}

# fake_setup LATENCY_MS CONNECT_DELAY_MS
fake_setup() {
	curl -sf -X POST "$FAKE_URL/_fake/reset" >/dev/null
	curl -sf -X POST -H 'Content-Type: application/json' \
		--data "{\"latency_ms\": $1, \"connect_delay_ms\": $2}" \
		"$FAKE_URL/_fake/config" >/dev/null
}

# loadgen ARGS...: the load generator with what it needs to know.
loadgen() {
	env BASE_URL="$BASE_URL" FAKE_URL="$FAKE_URL" LIGHTTPD_PID="$LIGHTTPD_PID" \
		FAKE_PID="$FAKE_PID" LATENCY_MS="$LATENCY_MS" PROCS="$PROCS" \
		WORKER_THREADS="$WORKER_THREADS" BENCH_LOG_LEVEL="$BENCH_LOG_LEVEL" \
		NUMBER_POOL="$BENCH_POOL" AUTH_USER="$AUTH_USER" AUTH_PASS="$AUTH_PASS" \
		AUTH_TOKEN="$AUTH_TOKEN" DOMAIN="$DOMAIN" WORK="$WORK" \
		RSS_FLOOR="${RSS_FLOOR:-}" CURL_CA_BUNDLE="${CURL_CA_BUNDLE:-}" \
		BENCH_TLS="$BENCH_TLS" BENCH_OPS_N="${BENCH_OPS_N:-30}" \
		CONNECT_DELAY_MS="$BENCH_CONNECT_DELAY_MS" \
		BENCH_SPARSE_GAP_S="${BENCH_SPARSE_GAP_S:-5}" \
		BENCH_SPARSE_S="${BENCH_SPARSE_S:-60}" \
		BENCH_WARMUP_MIN="${BENCH_WARMUP_MIN:-32}" \
		python3 "$LOADGEN" "$@"
}

# Fails if lighttpd is gone (stopped from outside, or crashed).
check_alive() {
	if ! kill -0 "$LIGHTTPD_PID" 2>/dev/null || ! kill -0 "$FAKE_PID" 2>/dev/null; then
		echo "bench: lighttpd or the fake Twilio stopped during the run:" >&2
		grep -E 'stopped by|graceful shutdown|died|terminated' "$WORK/error.log" | tail -3 >&2
		exit 1
	fi
}

# Waits until lighttpd has started every program process and /sessions
# answers (a cheap 400 for a body that is not JSON).
wait_programs() {
	local want=$(( $1 * 5 )) i n code
	for i in $(seq 100); do
		n=$(pgrep -P "$LIGHTTPD_PID" -f '\.fcgi' | wc -l)
		[ "$n" -ge "$want" ] && break
		sleep 0.05
	done
	[ "$n" -ge "$want" ] || echo "bench: only $n of $want program processes started" >&2
	PROG_PIDS=$(pgrep -P "$LIGHTTPD_PID" -f '\.fcgi' | tr '\n' ' ')
	for i in $(seq 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -u "$AUTH_USER:$AUTH_PASS" \
			-H 'Content-Type: application/json' --data 'not json' "$BASE_URL/sessions")
		[ "$code" = 400 ] && return 0
		sleep 0.05
	done
	echo "bench: /sessions answers $code, not 400, to a bad body" >&2
	return 1
}

# Never wipe a folder this script did not make.
if [ -d "$WORK" ] && [ -n "$(ls -A "$WORK")" ] && [ ! -d "$WORK/results" ]; then
	echo "bench: $WORK exists and is not a bench folder; set BENCH_WORK" >&2
	exit 2
fi
rm -rf "$WORK"
mkdir -p "$OUT"

[ "$BENCH_TLS" != 1 ] || setup_tls

if [ "$MODE" = bench ]; then
	echo "bench: LATENCY_MS=$LATENCY_MS CONNECT_DELAY_MS=$BENCH_CONNECT_DELAY_MS PROCS=$PROCS WORKER_THREADS=$WORKER_THREADS LOG_LEVEL=$BENCH_LOG_LEVEL${TLS_ENV:+ TLS} ($WORK)"
	start_stack "$PROCS" "$WORKER_THREADS" "$BENCH_LOG_LEVEL"
	wait_programs "$PROCS"
	for s in ${BENCH_SCENARIOS:-$(loadgen list)}; do
		check_alive
		fake_setup "$LATENCY_MS" "$BENCH_CONNECT_DELAY_MS"
		loadgen run "$s" --out "$OUT"
	done
	check_alive
fi

if [ "$MODE" = soak ] || [ "${SOAK:-0}" = 1 ]; then
	stop_all
	reap_programs
	echo "soak: one sessions.fcgi process, one thread, latency 0, ${SOAK_REQUESTS:-100000} requests"
	# info, not debug: 100,000 requests would log half a million lines.
	PROCS=1 WORKER_THREADS=1 start_stack 1 1 info
	PROCS=1 wait_programs 1
	fake_setup 0 0
	PROCS=1 WORKER_THREADS=1 loadgen soak --out "$OUT"
	check_alive
fi

# The floor under any worker's RSS: a process that only loads and
# initialises this system's libcurl (tests/bench/rss_floor.c).
RSS_FLOOR=
if ${CC:-cc} -O2 -o "$WORK/rss_floor" "$TOP/tests/bench/rss_floor.c" -lcurl 2>/dev/null; then
	RSS_FLOOR=$("$WORK/rss_floor" || true)
fi
export RSS_FLOOR
loadgen report "$OUT"
# The contact-detail filter alone, on one core (tests/bench/filter_bench.c).
if ${CC:-cc} -O2 -I"$TOP/lib" -o "$WORK/filter_bench" "$TOP/tests/bench/filter_bench.c" \
    "$BUILD/libmasked.a" 2>/dev/null; then
	echo
	(cd "$TOP" && "$WORK/filter_bench") || true
fi
# Choosing proxy numbers alone, on one core (tests/bench/rank_bench.c).
if ${CC:-cc} -O2 -I"$TOP/lib" -o "$WORK/rank_bench" "$TOP/tests/bench/rank_bench.c" \
    "$BUILD/libmasked.a" -ljson-c -lm 2>/dev/null; then
	echo
	"$WORK/rank_bench" || true
fi
echo
echo "logs: $WORK/error.log; results: $OUT/*.json"
