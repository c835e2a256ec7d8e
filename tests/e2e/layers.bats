#!/usr/bin/env bats
# The layering check (tests/lib/layers.py, `make layers`) finds each kind of
# breach in a tree made to have it, and none in the project's own.
# e2e: once (does not depend on the web server)

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
LAYERS="$TOP/tests/lib/layers.py"

setup() {
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T/lib/core" "$T/lib/web" "$T/lib/net" "$T/lib/svc" "$T/lib/app"
	# A clean start: each layer including only downwards.
	printf '#include "core/buf.h"\n' >"$T/lib/core/buf.c"
	: >"$T/lib/core/buf.h"
	printf '#include "core/buf.h"\n' >"$T/lib/web/http.c"
	printf '#include "core/buf.h"\n' >"$T/lib/net/httpc.c"
	printf '#include "web/http.h"\n#include "net/httpc.h"\n' >"$T/lib/svc/pool.c"
	: >"$T/lib/web/http.h" ; : >"$T/lib/net/httpc.h" ; : >"$T/lib/svc/pool.h"
	printf '#include "svc/pool.h"\n' >"$T/lib/app/config.c"
}

check() { LAYERS_TOP=$T run python3 "$LAYERS" "$@"; }

@test "a tree that keeps the rule: 0 problems, exit 0" {
	check
	[ "$status" = 0 ]
	[[ "$output" == *"5 layers"*", 0 problems" ]]
}

@test "an include of a layer above, and one beside: each named, exit 1" {
	printf '#include "svc/pool.h"\n' >>"$T/lib/core/buf.c"
	printf '#include "net/httpc.h"\n' >>"$T/lib/web/http.c"
	check
	[ "$status" = 1 ]
	grep -qx 'lib/core/buf.c: #include "svc/pool.h": core may not include svc .*' <<<"$output"
	grep -qx 'lib/web/http.c: #include "net/httpc.h": web may not include net .*' <<<"$output"
	# The include upwards also closes a loop through core/buf and svc/pool.
	grep -q '^include cycle: .*core/buf -> svc/pool' <<<"$output"
	[[ "$output" == *", 3 problems" ]]
}

@test "an include cycle between modules of one layer" {
	printf '#include "svc/mark.h"\n' >>"$T/lib/svc/pool.c"
	printf '#include "svc/pool.h"\n' >"$T/lib/svc/mark.c"
	: >"$T/lib/svc/mark.h"
	check
	[ "$status" = 1 ]
	grep -qx 'include cycle: svc/pool -> svc/mark -> svc/pool' <<<"$output"
}

@test "an include that names no layer, no module, or a folder that is no layer" {
	printf '#include "buf.h"\n#include "core/nothing.h"\n' >>"$T/lib/web/http.c"
	mkdir -p "$T/lib/misc" && : >"$T/lib/misc/x.c"
	check
	[ "$status" = 1 ]
	grep -qx 'lib/web/http.c: #include "buf.h" names no layer' <<<"$output"
	grep -qx 'lib/web/http.c: #include "core/nothing.h": no such module' <<<"$output"
	grep -q '^lib/misc/: not a known layer' <<<"$output"
}

@test "an exported symbol without its module's prefix" {
	mkdir -p "$T/build/lib/core"
	printf 'int buf_len(void) { return 0; }\nint length(void) { return 1; }\nstatic int helper(void) { return 2; }\nint buf(void) { return helper(); }\n' >"$T/lib/core/buf.c"
	cc -c -o "$T/build/lib/core/buf.o" "$T/lib/core/buf.c"
	check "$T/build"
	[ "$status" = 1 ]
	grep -qx 'lib/core/buf.c exports length, not prefixed buf_' <<<"$output"
	[[ "$output" == *", 1 problems" ]]
}

@test "the project's own lib/ keeps the rule" {
	[ -d "${BUILD:-$TOP/build}/lib" ] || skip "not built"
	run python3 "$LAYERS" "${BUILD:-$TOP/build}"
	[ "$status" = 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *", 0 problems" ]]
}
