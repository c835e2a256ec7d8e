# The one reader of the suites' closing lines, sourced by tests/run-tests.sh
# and tests/run-all.sh.

# summary_read FILE: reads the last "N passed, N failed[, N skipped]" line of
# FILE ("-": standard input) into SUMMARY_LINE, SUMMARY_PASSED,
# SUMMARY_FAILED and SUMMARY_SKIPPED (0 when the line has none). Status 1,
# the counts 0, when FILE has no such line.
summary_read() {
	SUMMARY_LINE=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	SUMMARY_PASSED=0 SUMMARY_FAILED=0 SUMMARY_SKIPPED=0
	[ -n "$SUMMARY_LINE" ] || return 1
	SUMMARY_PASSED=${SUMMARY_LINE%% passed*}
	SUMMARY_FAILED=${SUMMARY_LINE#*passed, }
	SUMMARY_FAILED=${SUMMARY_FAILED%% failed*}
	case $SUMMARY_LINE in
	*skipped*) SUMMARY_SKIPPED=${SUMMARY_LINE#*failed, }; SUMMARY_SKIPPED=${SUMMARY_SKIPPED%% skipped*} ;;
	esac
}

# tap_read FILE STATUS: the counts of a `bats --tap` output FILE into
# SUMMARY_PASSED (ok, less skipped), SUMMARY_FAILED (not ok) and
# SUMMARY_SKIPPED, and SUMMARY_LINE as "N passed, N failed, N skipped". A
# bats STATUS other than 0 with no failed test (setup_file or teardown_file
# failing) counts as one failure.
tap_read() {
	local ok skip
	ok=$(grep -cE '^ok ' "$1")
	skip=$(grep -cE '^ok .* # skip' "$1")
	SUMMARY_FAILED=$(grep -cE '^not ok ' "$1")
	[ "$2" = 0 ] || [ "$SUMMARY_FAILED" != 0 ] || SUMMARY_FAILED=1
	SUMMARY_PASSED=$((ok - skip)) SUMMARY_SKIPPED=$skip
	SUMMARY_LINE="$SUMMARY_PASSED passed, $SUMMARY_FAILED failed, $SUMMARY_SKIPPED skipped"
}
