#!/usr/bin/env bats
# make install / make uninstall into a temporary DESTDIR, and the installed
# programs run from there.
# e2e: once (does not depend on the web server)

load helpers

setup_file() {
	load_harness
	export DEST="$BATS_FILE_TMPDIR/dest"
	# The programs as built for this run (build/, or build-san/ by SANITIZE=1).
	export MAKEARGS="-C $TOP --no-print-directory BUILD=$BUILD PREFIX=/usr DESTDIR=$DEST"
	[ "$(basename "$BUILD")" != build-san ] || MAKEARGS="$MAKEARGS SANITIZE=1"
}

setup() { load_harness; }

installed_files() { (cd "$DEST" && find . -type f -o -type l | sort); }

@test "make install puts each file in its place under DESTDIR and PREFIX" {
	run make $MAKEARGS install
	[ "$status" = 0 ] || { echo "$output"; false; }
	for p in sessions inbound-call post-event pre-event; do
		[ -x "$DEST/usr/lib/masked/$p.fcgi" ]
	done
	cmp "$TOP/etc/nanp-area-codes.csv" "$DEST/usr/share/masked/nanp-area-codes.csv"
	[ -f "$DEST/usr/share/doc/masked/env.example" ]
	[ -f "$DEST/usr/share/doc/masked/README.md" ]
	[ -x "$DEST/usr/sbin/masked-spawn-fcgi" ]
	[ -f "$DEST/usr/lib/systemd/system/masked@.socket" ]
	[ -f "$DEST/usr/lib/systemd/system/masked@.service" ]
	[ -f "$DEST/usr/lib/systemd/system/masked@inbound-call.service.d/workers.conf" ]
	# Every file of deploy/, the shared-hosting .htaccess too.
	(cd "$TOP" && find deploy -type f) | while read -r f; do
		[ -f "$DEST/usr/share/doc/masked/$f" ] || { echo "missing $f"; false; }
	done
	[ -f "$DEST/usr/share/doc/masked/deploy/apache/shared-hosting/.htaccess" ]
}

@test "the installed configurations name PREFIX's paths" {
	grep -q '^ExecStart=/usr/lib/masked/%i.fcgi$' "$DEST/usr/lib/systemd/system/masked@.service"
	grep -q '"/usr/lib/masked/inbound-call.fcgi"' "$DEST/usr/share/doc/masked/deploy/lighttpd/masked.conf"
	grep -q 'FcgidCmdOptions /usr/lib/masked/sessions.fcgi' "$DEST/usr/share/doc/masked/deploy/apache/masked-fcgid.conf"
	grep -q 'PROGRAMS_DIR:=/usr/lib/masked}' "$DEST/usr/sbin/masked-spawn-fcgi"
	! grep -rq --exclude='*.md' /usr/local "$DEST"/usr/lib/systemd "$DEST"/usr/sbin \
		"$DEST"/usr/share/doc/masked/deploy
}

@test "an installed program: --check passes with a good configuration" {
	WORK="$BATS_TEST_TMPDIR" FAKE_URL=http://127.0.0.1:9
	write_env
	run env -i ENV_FILE="$ENV_FILE" "$DEST/usr/lib/masked/sessions.fcgi" --check
	[ "$status" = 0 ] || { echo "$output"; false; }
	[[ "$output" == *"configuration OK"* ]]
	for p in inbound-call post-event pre-event; do
		run env -i ENV_FILE="$ENV_FILE" "$DEST/usr/lib/masked/$p.fcgi" --check
		[ "$status" = 0 ] || { echo "$p: $output"; false; }
	done
}

@test "an installed program: --check fails with a bad configuration, naming it" {
	WORK="$BATS_TEST_TMPDIR" FAKE_URL=http://127.0.0.1:9
	write_env TWILIO_ACCOUNT_SID=not-a-sid
	run env -i ENV_FILE="$ENV_FILE" "$DEST/usr/lib/masked/sessions.fcgi" --check
	[ "$status" != 0 ]
	[[ "$output" == *TWILIO_ACCOUNT_SID* ]]
	[[ "$output" == *"configuration INVALID"* ]]
	# No configuration at all.
	run env -i ENV_FILE=/nonexistent "$DEST/usr/lib/masked/sessions.fcgi" --check
	[ "$status" != 0 ]
}

@test "an installed program: --version" {
	run "$DEST/usr/lib/masked/sessions.fcgi" --version
	[ "$status" = 0 ]
	[[ "$output" =~ ^sessions\.fcgi\ \(masked\)\ [0-9]+\.[0-9]+ ]]
}

@test "make uninstall removes every file make install put there" {
	[ -n "$(installed_files)" ]
	run make $MAKEARGS uninstall
	[ "$status" = 0 ] || { echo "$output"; false; }
	[ -z "$(installed_files)" ] || { installed_files; false; }
	# And the folders that were the project's own.
	for d in usr/lib/masked usr/share/masked usr/share/doc/masked \
	    usr/lib/systemd/system/masked@inbound-call.service.d; do
		[ ! -e "$DEST/$d" ] || { echo "left: $d"; false; }
	done
}
