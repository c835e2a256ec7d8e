#!/usr/bin/env bats
# One connection cache per process (net/httpc): the connections to Twilio a
# process opens are shared by its threads, so sessions served one after the
# other, by whichever thread accepts each, keep reusing the same few. With a
# cache per thread, each thread that takes its first session opens its own.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

@test "sessions served one after another reuse the process's connections, whichever thread serves them" {
	local i
	for i in $(seq 0 23); do
		post_session "{\"addresses\":[\"+1212555$((3000 + i))\",\"+1312555$((3000 + i))\"]}"
		[ "$status_code" = 200 ] || { echo "session $i: $status_code $body"; return 1; }
	done
	# Each session needs 3 connections at once (the create and two
	# look-ups); every process that served one opened those and no more.
	# Connections the programs opened, by process (the fake reads the
	# owner of each from /proc).
	fake_get connections | jq -c '[.[] | select(.pid != null)] | group_by(.pid) |
		map({pid: .[0].pid, connections: length})' >"$BATS_TEST_TMPDIR/by-pid"
	cat "$BATS_TEST_TMPDIR/by-pid"
	jq -e 'length >= 1 and all(.[]; .connections <= 4)' "$BATS_TEST_TMPDIR/by-pid"
}
