#!/usr/bin/env bats
# e2e: once
# The README's examples, run as a newcomer runs them: a fresh copy of the
# project, `cp env.example .env`, `make run`, then every command block of the
# quick start and the endpoint sections, in order, each checked against the
# answer the README shows (tests/lib/readme.py). The README cannot drift from
# the product without this failing.

load helpers

setup_file() {
	load_harness
	export CLONE="$BATS_FILE_TMPDIR/clone"
	mkdir -p "$CLONE"
	# What a clone holds: the tracked files, as they are in the work tree.
	(cd "$TOP" && git ls-files -z | xargs -0 cp --parents -t "$CLONE")
	cp "$CLONE/env.example" "$CLONE/.env"
	if curl -s -o /dev/null --max-time 2 http://127.0.0.1:3000/; then
		echo "port 3000 is taken: the README's examples need it" >&2
		return 1
	fi
	local t0 i
	t0=$(date +%s%N)
	(cd "$CLONE" && exec setsid make run >"$CLONE/run.out" 2>&1) &
	export RUN_PID=$!
	for i in $(seq 1800); do
		grep -q '^masked is serving' "$CLONE/run.out" 2>/dev/null && break
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^masked is serving' "$CLONE/run.out" || { cat "$CLONE/run.out" >&2; return 1; }
	export UP_SECONDS
	UP_SECONDS=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}

setup() { load_harness; }

teardown_file() {
	local i
	[ -n "${RUN_PID:-}" ] || return 0
	kill -TERM -- -"$RUN_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.1
	done
	# The workers of make run answered every example without dying.
	WORK="$CLONE/run" check_reports
}

@test "make run's sandbox banner says what is in effect, whatever .env says" {
	grep -q 'SANDBOX MODE' "$CLONE/run.out"
	grep -q 'DOMAIN             127.0.0.1:3000' "$CLONE/run.out"
	grep -q '/sessions login    sandbox:sandbox' "$CLONE/run.out"
	grep -q 'NUMBER_POOL        \["+14155550100"' "$CLONE/run.out"
	# env.example's placeholders were set aside, and the banner says which.
	grep -q 'Set by the sandbox instead of .env or the environment:.* DOMAIN' "$CLONE/run.out"
	echo "make run to serving: $UP_SECONDS s (build included)" >&3
}

@test "every example of the README's quick start and endpoint sections runs as written" {
	local t0=$SECONDS
	run "$PY" "$TOP/tests/lib/readme.py" "$CLONE/README.md" "$CLONE"
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *" 0 failed"* ]]
	# Create, inbound call, post-event at least.
	[ "$(grep -c '^ok ' <<<"$output")" -ge 3 ]
	echo "examples: $((SECONDS - t0)) s" >&3
}

@test "make run answers an unknown path and a bodiless POST with JSON errors" {
	run curl -s -o "$BATS_TEST_TMPDIR/b" -w '%{http_code} %{content_type}' http://127.0.0.1:3000/nowhere
	[ "${output%% *}" = 404 ]
	[[ "$output" == *application/json* ]]
	jq -e '.error == "not_found"' "$BATS_TEST_TMPDIR/b"
	run curl -s -o "$BATS_TEST_TMPDIR/b" -w '%{http_code} %{content_type}' -X POST \
		-u sandbox:sandbox http://127.0.0.1:3000/sessions
	[[ "$output" == *application/json* ]]
	jq -e '.error | type == "string"' "$BATS_TEST_TMPDIR/b"
	run curl -s -o "$BATS_TEST_TMPDIR/b" -w '%{http_code} %{content_type}' -X PUT \
		http://127.0.0.1:3000/sessions
	[ "${output%% *}" = 405 ]
	[[ "$output" == *application/json* ]]
}
