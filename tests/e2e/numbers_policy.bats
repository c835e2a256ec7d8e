#!/usr/bin/env bats
# Picking proxy numbers beyond §7 (SPEC §13): NUMBER_SELECTION=prefer-sticky
# gives the same people the same numbers again, without state;
# avoid-sticky another while it is free; GEO_MATCH=country|area-code (and
# NUMBER_POOL_STRICT_GEO=on, country's old name) refuses an address that
# no pool number matches, naming it, before Twilio is asked anything.
# Each test restarts the programs with its settings on the same port
# (reconfigure). Against the harness's pool: +14155550100, +14155550101,
# +12125550100, +16045550100, +442071838750.

load helpers

setup_file() { start_stack; }
teardown_file() {
	load_harness
	[ -f "$BATS_FILE_TMPDIR/stack" ] && source "$BATS_FILE_TMPDIR/stack"
	stop_stack
}
setup() {
	load_harness
	[ -f "$BATS_FILE_TMPDIR/stack" ] && source "$BATS_FILE_TMPDIR/stack"
	reset_fake
}

A=+14155551234 B=+12125551234 C=+16045551234

# reconfigure KEY=value...: the programs restarted on the same port with
# these settings; the servers' new PIDs kept for the tests after and
# teardown_file.
reconfigure() {
	local i
	# The harness's lighttpd is LIGHTTPD_PID, not among SERVER_PIDS.
	SERVER_PIDS="$SERVER_PIDS ${LIGHTTPD_PID:-}"
	# Started by setup_file or an earlier test, not this one's children:
	# stop_server's wait has nothing to wait for (it polls them gone).
	stop_server || true
	# What the stopped servers leave: spawn-fcgi's script would take a pid
	# file of a stopped (unreaped) program for a running one.
	rm -f "$WORK"/run/*.pid "$WORK"/run/*.sock
	write_env "$@"
	PORT=${BASE_URL##*:} start_server "${SERVER:-lighttpd}"
	# A socket left by the stopped servers may be taken for the new one's
	# for a moment (502): wait until the program itself answers (401).
	for i in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE_URL/sessions")" = 401 ] && break
		sleep 0.05
	done
	# Plain assignments: sourced in setup(), declare would make them local.
	printf 'SERVER_PIDS=%q\nBASE_URL=%q\nLIGHTTPD_PID=%q\n' "$SERVER_PIDS" \
		"$BASE_URL" "${LIGHTTPD_PID:-}" >"$BATS_FILE_TMPDIR/stack"
	note_programs
}

# session ADDRESS...: POST /sessions for them; prints "address proxy" lines,
# sorted, and leaves the SID in $BATS_TEST_TMPDIR/sid.
session() {
	local list
	list=$(printf '"%s",' "$@")
	post_session "{\"addresses\":[${list%,}]}"
	[ "$status_code" = 200 ] || { echo "session $*: $status_code $body" >&2; return 1; }
	echo "$body" | jq -r .sid >"$BATS_TEST_TMPDIR/sid"
	echo "$body" | jq -r '.participants[] | "\(.address) \(.proxyAddress)"' | sort
}

# proxy_of ADDRESS LINES: the proxy of ADDRESS in session's output.
proxy_of() { awk -v a="$1" '$1 == a { print $2 }' <<<"$2"; }

delete_session() {
	api DELETE "/sessions/$(cat "$BATS_TEST_TMPDIR/sid")"
	[ "$status_code" = 204 ] || { echo "delete: $status_code $body"; return 1; }
}

# ------------------------------------------------------------ sticky

@test "prefer-sticky: the same two people get the same numbers again after their session is deleted, in either order" {
	reconfigure NUMBER_SELECTION=prefer-sticky
	first=$(session "$A" "$B")
	delete_session
	again=$(session "$B" "$A")
	[ "$first" = "$again" ] || { printf 'first:\n%s\nagain:\n%s\n' "$first" "$again"; false; }
	# Each from their own area code's tier.
	[[ "$(proxy_of "$A" "$first")" == +1415555010[01] ]]
	[ "$(proxy_of "$B" "$first")" = +12125550100 ]
	delete_session
	# Three times over: still the same.
	[ "$(session "$A" "$B")" = "$first" ]
}

@test "prefer-sticky: while the sticky number is taken, the next one; different people spread over the tier" {
	reconfigure NUMBER_SELECTION=prefer-sticky
	first=$(session "$A" "$B")
	pa=$(proxy_of "$A" "$first")
	# The same two again, the first session still open: A's other 415 number.
	second=$(session "$A" "$B")
	pa2=$(proxy_of "$A" "$second")
	[[ "$pa2" == +1415555010[01] && "$pa2" != "$pa" ]]
	# A with other people, one session at a time: both 415 numbers come up
	# as A's first pick (rendezvous hashing over the partner).
	reset_fake
	picks=
	for i in 1 2 3 4 5 6 7 8; do
		out=$(session "$A" "+1212555200$i")
		picks+="$(proxy_of "$A" "$out") "
		delete_session
	done
	echo "A's picks: $picks"
	[[ "$picks" == *+14155550100* && "$picks" == *+14155550101* ]]
	# And each is A's again with the same partner.
	for i in 1 2 3; do
		out=$(session "$A" "+1212555200$i")
		[ "$(proxy_of "$A" "$out")" = "$(echo $picks | cut -d' ' -f$i)" ]
		delete_session
	done
}

@test "prefer-sticky: a person added to a session gets the number they had with the same people" {
	reconfigure NUMBER_SELECTION=prefer-sticky
	first=$(session "$A" "$B")
	delete_session
	# A alone, then B added: B's people are A, as before.
	session "$A" >/dev/null
	sid=$(cat "$BATS_TEST_TMPDIR/sid")
	api POST "/sessions/$sid/participants" "{\"address\":\"$B\"}"
	[ "$status_code" = 201 ] || { echo "$body"; false; }
	[ "$(echo "$body" | jq -r '.participants[0].proxyAddress')" = "$(proxy_of "$B" "$first")" ]
}

@test "avoid-sticky: another number than prefer-sticky's while it is free, and stable too" {
	reconfigure NUMBER_SELECTION=prefer-sticky
	sticky=$(session "$A" "$B")
	delete_session
	reconfigure NUMBER_SELECTION=avoid-sticky
	avoid=$(session "$A" "$B")
	pa=$(proxy_of "$A" "$sticky")
	[[ "$(proxy_of "$A" "$avoid")" == +1415555010[01] && "$(proxy_of "$A" "$avoid")" != "$pa" ]] || { echo "sticky $sticky avoid $avoid"; false; }
	delete_session
	[ "$(session "$B" "$A")" = "$avoid" ]
}

@test "default: §7 unchanged (pool order within the tier, whoever the partner)" {
	reconfigure NUMBER_SELECTION=default
	for p in +12125552001 +12125552002 +12125552003; do
		out=$(session "$A" "$p")
		[ "$(proxy_of "$A" "$out")" = +14155550100 ]
		delete_session
	done
}

# ------------------------------------------------------------ geo

@test "GEO_MATCH=country: a number of the country, never another's; none: 500 naming the address, nothing made" {
	reconfigure GEO_MATCH=country
	# 650 has no pool number: another US one, not Canada's or the UK's.
	out=$(session +16505551234 "$C")
	[[ "$(proxy_of +16505551234 "$out")" =~ ^\+1(415|212) ]]
	[ "$(proxy_of "$C" "$out")" = +16045550100 ]
	reset_fake
	post_session "{\"addresses\":[\"$A\",\"+33612345678\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e '.message == "Not enough numbers available in pool for +33612345678"' || { echo "$body"; false; }
	verify
	nothing_made
}

@test "GEO_MATCH=area-code: only the same area code (the calling code outside NANP); none: 500 naming the address, nothing made" {
	reconfigure GEO_MATCH=area-code
	out=$(session "$A" +447700900123)
	[[ "$(proxy_of "$A" "$out")" == +1415555010[01] ]]
	[ "$(proxy_of +447700900123 "$out")" = +442071838750 ]
	reset_fake
	post_session "{\"addresses\":[\"$A\",\"+16505551234\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e '.message == "Not enough numbers available in pool for +16505551234"' || { echo "$body"; false; }
	verify
	nothing_made
	# Adding one without a match to a session: the same, nothing sent.
	reset_fake
	api POST "/sessions/CH0123456789abcdef0123456789abcdef/participants" '{"address":"+15105551234"}'
	expect_error 500 pool_exhausted
	echo "$body" | jq -e '.message == "Not enough numbers available in pool for +15105551234"' || { echo "$body"; false; }
	verify
	nothing_made
}

@test "NUMBER_POOL_STRICT_GEO=on is GEO_MATCH=country" {
	reconfigure NUMBER_POOL_STRICT_GEO=on
	post_session "{\"addresses\":[\"+33612345678\"]}"
	expect_error 500 pool_exhausted
	echo "$body" | jq -e '.message == "Not enough numbers available in pool for +33612345678"' || { echo "$body"; false; }
	verify
	nothing_made
}

@test "--check names bad NUMBER_SELECTION and GEO_MATCH values" {
	run env ENV_FILE="$ENV_FILE" NUMBER_SELECTION=sticky GEO_MATCH=city \
		"$BUILD/sessions.fcgi" --check
	[ "$status" -ne 0 ]
	[[ "$output" == *"NUMBER_SELECTION: must be default, prefer-sticky or avoid-sticky"* ]]
	[[ "$output" == *"GEO_MATCH: must be any, country or area-code"* ]]
}
