#!/usr/bin/env bash
# Runs every unit test program, then every end-to-end suite, and ends with one
# line "N passed, N failed, N skipped" over all of them. Exit status 1 when
# anything failed. E2E_SUITES="a b" runs only tests/e2e/a.bats and b.bats
# (each must exist), under each of SERVERS.
set -uo pipefail

BUILD=$(cd "${1:?usage: run-tests.sh BUILD-DIR}" && pwd) || exit 2
TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0
# shellcheck source=lib/summary.bash
source "$TOP/tests/lib/summary.bash"

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: $(basename "$t")"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/   /'
	if ! summary_read - <<<"$out"; then
		echo "   (no summary: counted as one failure)"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + SUMMARY_PASSED)); failed=$((failed + SUMMARY_FAILED))
	skipped=$((skipped + SUMMARY_SKIPPED))
	[ "$rc" = 0 ] || [ "$SUMMARY_FAILED" != 0 ] || failed=$((failed + 1))
done

# The layering rule of lib/ (tests/lib/layers.py): one check.
echo "== unit: layers (tests/lib/layers.py)"
if "${PY:-python3}" "$TOP/tests/lib/layers.py" "$BUILD" | sed 's/^/   /'; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

# The fake Twilio's own tests: the e2e suites are only as good as it is.
echo "== unit: fake Twilio (tests/fake-twilio/test_fake.py)"
out=$("${PY:-python3}" "$TOP/tests/fake-twilio/test_fake.py" 2>&1); rc=$?
if summary_read - <<<"$out"; then
	# Which of its checks failed, not only how many.
	printf '%s\n' "$out" | grep '^FAIL' | sed 's/^/   /'
	echo "   $SUMMARY_LINE"
	passed=$((passed + SUMMARY_PASSED)); failed=$((failed + SUMMARY_FAILED))
	skipped=$((skipped + SUMMARY_SKIPPED))
	# A failing status with no failed check (it died after its summary).
	[ "$rc" = 0 ] || [ "$SUMMARY_FAILED" != 0 ] || failed=$((failed + 1))
else
	echo "   no summary"
	failed=$((failed + 1))
fi

# The end-to-end suites, once per web server (tests/lib/servers.bash), each
# pass labelled and counted. A .bats file with a line "# e2e: once" does not
# depend on the server: it runs in the first pass only. The passes share
# nothing (each file starts its own fake Twilio and server on free ports),
# so E2E_JOBS of them (default 2) run side by side; each pass's output is
# shown whole when it ends.
SERVERS=${SERVERS:-lighttpd-deploy nginx-systemd nginx-spawnfcgi apache-fcgid apache-cgi}
E2E_JOBS=${E2E_JOBS:-2}
summary=
first=1
failures=$(mktemp)
passes=$(mktemp -d)
suites=("$TOP"/tests/e2e/*.bats)
if [ -n "${E2E_SUITES:-}" ]; then
	suites=()
	for s in $E2E_SUITES; do
		if [ -f "$TOP/tests/e2e/$s.bats" ]; then
			suites+=("$TOP/tests/e2e/$s.bats")
		else
			echo "== no suite tests/e2e/$s.bats (E2E_SUITES): counted as one failure"
			failed=$((failed + 1))
		fi
	done
fi

# pass SERVER FILE...: one server's pass, into $passes/SERVER.{tap,rc,secs}.
pass() {
	local server="$1" start=$SECONDS
	shift
	SERVER=$server BUILD="$BUILD" bats --tap "$@" >"$passes/$server.tap" 2>&1
	echo $? >"$passes/$server.rc"
	echo $((SECONDS - start)) >"$passes/$server.secs"
}

ran=()
running=0
for server in $SERVERS; do
	files=()
	for f in "${suites[@]}"; do
		[ -n "$first" ] || ! grep -q '^# e2e: once' "$f" || continue
		files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || continue
	first=
	# E2E_JOBS at a time: the next starts when one ends.
	if [ "$running" -ge "$E2E_JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "== end-to-end under $server (bats, fake Twilio): started"
	pass "$server" "${files[@]}" &
	running=$((running + 1))
	ran+=("$server")
done
wait
for server in "${ran[@]}"; do
	tap="$passes/$server.tap"
	echo "== end-to-end under $server (bats, fake Twilio)"
	cat "$tap"
	# bats failing outside a test (setup_file, teardown_file) counts too.
	tap_read "$tap" "$(cat "$passes/$server.rc")"
	passed=$((passed + SUMMARY_PASSED)); failed=$((failed + SUMMARY_FAILED))
	skipped=$((skipped + SUMMARY_SKIPPED))
	line=$(printf '%-16s %3d passed, %d failed, %d skipped in %d s' "$server:" \
		"$SUMMARY_PASSED" "$SUMMARY_FAILED" "$SUMMARY_SKIPPED" "$(cat "$passes/$server.secs")")
	echo "== $line"
	summary="$summary$line"$'\n'
	grep -E '^not ok ' "$tap" | sed "s/^/   $server: /" >>"$failures"
done
rm -rf "$passes"

echo
printf '%s' "$summary"
cat "$failures"
rm -f "$failures"
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
