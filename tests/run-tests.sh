#!/usr/bin/env bash
# Runs every unit test program, then every end-to-end suite, and ends with one
# line "N passed, N failed, N skipped" over all of them. Exit status 1 when
# anything failed.
set -uo pipefail

BUILD=${1:?usage: run-tests.sh BUILD-DIR}
TOP=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0 skipped=0

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== unit: $(basename "$t")"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^/   /'
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		echo "   (no summary: counted as one failure)"
		failed=$((failed + 1))
		continue
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || failed=$((failed + 1))
done

echo "== end-to-end (bats, lighttpd, fake Twilio)"
tap=$(mktemp)
BUILD="$BUILD" bats --tap "$TOP/tests/e2e" | tee "$tap"
rc=${PIPESTATUS[0]}
ok=$(grep -cE '^ok ' "$tap")
skip=$(grep -cE '^ok .* # skip' "$tap")
notok=$(grep -cE '^not ok ' "$tap")
passed=$((passed + ok - skip)); failed=$((failed + notok)); skipped=$((skipped + skip))
# bats failing outside a test (setup_file, teardown_file) counts too.
[ "$rc" = 0 ] || [ "$notok" != 0 ] || failed=$((failed + 1))
rm -f "$tap"

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
