#!/usr/bin/env bash
# `make test`: every suite the project has, one after the other, then one
# closing line "N passed, N failed, N skipped" over all of them:
#   1. unit tests, and the end-to-end suites under every web server;
#   2. the same unit tests and the suites under lighttpd, built with
#      AddressSanitizer and UndefinedBehaviorSanitizer;
#   3. the unit tests and the suites that exercise the threaded paths (many
#      requests at once in one worker process: the Makefile's TSAN_SUITES)
#      under lighttpd, built with ThreadSanitizer; any report fails;
#   4. the end-to-end suites with the programs under valgrind memcheck;
#   5. each fuzz target for FUZZ_TIME seconds (default 20).
# Every end-to-end file also fails if a worker died while it ran (crashed,
# killed, restarted: check_crashes, tests/lib/harness.bash).
# STAGES="1 2" runs a subset. Exit status 1 when anything failed. The last
# lines name every failure of every stage, so that the end of a long log
# (all a CI page may show) says what failed, not only how many.
set -uo pipefail

cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
STAGES=${STAGES:-1 2 3 4 5}
passed=0 failed=0 skipped=0
report=

# shellcheck source=lib/summary.bash
source tests/lib/summary.bash

# count LABEL FILE: adds the last "N passed, N failed[, N skipped]" of FILE.
count() {
	if ! summary_read "$2"; then
		failed=$((failed + 1))
		report+="$1: no result (counted as one failure)"$'\n'
		return
	fi
	passed=$((passed + SUMMARY_PASSED)); failed=$((failed + SUMMARY_FAILED))
	skipped=$((skipped + SUMMARY_SKIPPED))
	report+="$1: $SUMMARY_LINE"$'\n'
}

# tap LABEL FILE STATUS: counts a bats --tap output.
tap() {
	tap_read "$2" "$3"
	passed=$((passed + SUMMARY_PASSED)); failed=$((failed + SUMMARY_FAILED))
	skipped=$((skipped + SUMMARY_SKIPPED))
	report+="$1: $SUMMARY_LINE"$'\n'
}

# failures LABEL FILE [tap]: the lines of FILE that name a failure (a bats
# test in run-tests.sh's closing list, "SERVER: not ok ..."; with tap, a
# plain TAP "not ok"; a unit test's or fuzz target's FAIL; a suite with no
# result), labelled.
failures() {
	local rx='^ *[[:alnum:]_-]+: not ok |^ *FAIL |counted as one failure|no summary'
	[ "${3:-}" != tap ] || rx="^not ok |$rx"
	grep -E "$rx" "$2" | sed "s/^ */   $1: /" >>"$fails"
}

out=$(mktemp)
fails=$(mktemp)
for stage in $STAGES; do
	start=$SECONDS
	case $stage in
	1)	echo "=== 1. unit and end-to-end tests, every web server"
		$MAKE --no-print-directory check WERROR="${WERROR-1}" 2>&1 | tee "$out"
		count "unit + e2e (all servers)" "$out"; failures 1 "$out" ;;
	2)	echo "=== 2. the same under ASan and UBSan (lighttpd)"
		SERVERS=lighttpd $MAKE --no-print-directory check SANITIZE=1 \
		    WERROR="${WERROR-1}" 2>&1 | tee "$out"
		count "unit + e2e, sanitizers" "$out"; failures 2 "$out" ;;
	3)	echo "=== 3. the threaded paths under ThreadSanitizer (lighttpd)"
		SERVERS=lighttpd $MAKE --no-print-directory check SANITIZE=thread \
		    WERROR="${WERROR-1}" 2>&1 | tee "$out"
		count "unit + threaded e2e, ThreadSanitizer" "$out"; failures 3 "$out" ;;
	4)	echo "=== 4. end-to-end with the programs under valgrind"
		$MAKE --no-print-directory valgrind VALGRIND_FLAGS=--tap 2>&1 | tee "$out"
		tap "e2e under valgrind" "$out" "${PIPESTATUS[0]}"; failures 4 "$out" tap ;;
	5)	echo "=== 5. fuzzing, ${FUZZ_TIME:-20} s a target"
		$MAKE --no-print-directory fuzz FUZZ_TIME="${FUZZ_TIME:-20}" 2>&1 | tee "$out"
		count "fuzz targets" "$out"; failures 5 "$out" ;;
	esac
	report+="   (stage $stage: $((SECONDS - start)) s)"$'\n'
done
rm -f "$out"

echo
printf '%s' "$report"
if [ -s "$fails" ]; then
	echo "failed (stage: what):"
	head -60 "$fails"
fi
rm -f "$fails"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
