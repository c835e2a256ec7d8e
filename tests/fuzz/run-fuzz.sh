#!/usr/bin/env bash
# `make fuzz`: runs each fuzz target for FUZZ_TIME seconds from its seed
# corpus (tests/fuzz/corpus/NAME) plus what earlier runs found
# (build-fuzz/corpus/NAME), FUZZ_JOBS of them at a time (default: one per
# CPU), then prints each one's executions and a closing
# "N passed, N failed". A crash, leak or sanitizer report fails the target;
# its input is kept as build-fuzz/NAME-crash-*.
#
#   tests/fuzz/run-fuzz.sh FUZZ_TIME BINARY...
set -uo pipefail

time=${1:?usage: run-fuzz.sh FUZZ_TIME BINARY...}
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# one BINARY: runs it, leaving its log beside it and its exit status in .rc.
one() {
	local f=$1 n
	n=$(basename "$f")
	mkdir -p "build-fuzz/corpus/$n"
	dict=()
	case $n in
	fuzz_*_req|fuzz_http) dict=(-dict="$top/tests/fuzz/request.dict") ;;
	esac
	"$f" -max_total_time="$time" -print_final_stats=1 -detect_leaks=1 "${dict[@]}" \
	    -artifact_prefix="build-fuzz/$n-" \
	    "build-fuzz/corpus/$n" "$top/tests/fuzz/corpus/$n" \
	    >"build-fuzz/$n.log" 2>&1
	echo $? >"build-fuzz/$n.rc"
}
export -f one
export time top

echo "fuzzing ${#@} targets for $time s each, $jobs at a time"
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one "$@"' _ {}

ok=0 bad=0
for f in "$@"; do
	n=$(basename "$f")
	echo "== $n"
	grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|^Done' "build-fuzz/$n.log"
	if [ "$(cat "build-fuzz/$n.rc" 2>/dev/null)" = 0 ]; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		tail -40 "build-fuzz/$n.log"
		echo "FAIL fuzz target $n (build-fuzz/$n.log)"
	fi
done
echo "$ok passed, $bad failed"
[ "$bad" = 0 ]
