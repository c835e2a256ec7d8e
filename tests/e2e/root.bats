#!/usr/bin/env bats
# e2e: once
# The programs refuse to run as root unless ALLOW_ROOT=1.

load helpers

setup() {
	load_harness
	export WORK="$BATS_TEST_TMPDIR"
	FAKE_URL=http://127.0.0.1:1
	write_env
	grep -v '^ALLOW_ROOT=' "$ENV_FILE" >"$WORK/env.noroot"
}

@test "as root without ALLOW_ROOT: refuses to start, saying why" {
	[ "$(id -u)" = 0 ] || skip "needs root to check"
	run env -u ALLOW_ROOT ENV_FILE="$WORK/env.noroot" timeout 5 \
		"$BUILD/sessions.fcgi" --listen "$WORK/s.sock"
	[ "$status" = 1 ]
	[[ "$output" == *"refusing to run as root"* ]]
	[ ! -S "$WORK/s.sock" ]
}

@test "as root with ALLOW_ROOT=1: serves" {
	[ "$(id -u)" = 0 ] || skip "needs root to check"
	ENV_FILE="$WORK/env.noroot" ALLOW_ROOT=1 "$BUILD/sessions.fcgi" --listen "$WORK/s.sock" 2>/dev/null &
	pid=$!
	for i in $(seq 50); do [ -S "$WORK/s.sock" ] && break; sleep 0.05; done
	kill "$pid"
	wait "$pid" || true
	[ -S "$WORK/s.sock" ]
}

@test "--check as root without ALLOW_ROOT says the program would refuse to start" {
	[ "$(id -u)" = 0 ] || skip "needs root to check"
	local p
	for p in sessions inbound-call post-event pre-event; do
		run env -u ALLOW_ROOT ENV_FILE="$WORK/env.noroot" "$BUILD/$p.fcgi" --check
		[ "$status" = 1 ]
		[[ "$output" == *"error: running as root: the program refuses to start as root"* ]]
		[[ "$output" == *"$p: configuration INVALID"* ]]
		run env ENV_FILE="$WORK/env.noroot" ALLOW_ROOT=1 "$BUILD/$p.fcgi" --check
		[ "$status" = 0 ]
		[[ "$output" == *"$p: configuration OK"* ]]
	done
}
