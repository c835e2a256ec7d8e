# servers.bash: the web servers of deploy/, for the end-to-end tests. Each
# starter runs the configuration deploy/ ships, with only its install paths
# (and port, and user) replaced by the test's, so that the tests run what
# README.md's "Deploying" recipes install. Sourced by harness.bash.
#
# Inputs:  BUILD, WORK, ENV_FILE (write_env), as the harness's.
# Outputs: BASE_URL, SERVER_PIDS (stop_server stops them and what they started).
#
#   start_server NAME      lighttpd (the harness's) | nginx-systemd |
#                          nginx-spawnfcgi | apache-fcgid | apache-cgi, and
#                          lighttpd-deploy | apache-htaccess-fcgid (deploy.bats)
#
# Every server logs, and every program writes its stderr, to $WORK/error.log,
# where check_reports looks (and its crash detector, tests/lib/harness.bash:
# a server that keeps its programs running has them noted, watch_programs,
# and each stop first checks that none of them died, programs_stopping).
# When the tests run as root, the programs run as www-data (the user deploy/
# names, or the stand-in for its "masked" user), as they would in
# production; the test's files are opened to it.

DEPLOY="$TOP/deploy"
SERVERS_ALL="lighttpd nginx-systemd nginx-spawnfcgi apache-fcgid apache-cgi"
# The unprivileged user the programs and the servers' workers run as.
RUN_USER=www-data

start_server() {
	case "${1:-lighttpd}" in
	lighttpd)		start_lighttpd ;;
	lighttpd-deploy)	start_lighttpd_deploy ;;
	nginx-systemd)		start_nginx_systemd ;;
	nginx-spawnfcgi)	start_nginx_spawnfcgi ;;
	apache-fcgid)		start_apache fcgid ;;
	apache-cgi)		start_apache cgi ;;
	apache-htaccess-fcgid)	start_apache htaccess-fcgid ;;
	*)	echo "unknown SERVER '$1' (one of: $SERVERS_ALL lighttpd-deploy apache-htaccess-fcgid)" >&2
		return 1 ;;
	esac
}

is_root() { [ "$(id -u)" = 0 ]; }

# deploy_file FILE: the shipped file, its install paths replaced by the test's.
deploy_file() {
	sed -e "s|/usr/local/lib/masked|$BUILD|g" \
	    -e "s|/etc/masked/env|$ENV_FILE|g" \
	    -e "s|/run/masked|$WORK/run|g" \
	    -e "s|/run/lighttpd|$WORK/run|g" \
	    -e "s|/var/log/lighttpd|$WORK/log|g" "$1"
}

# Lets RUN_USER reach the programs and read the env file: every folder above
# them searchable (the test's temporary folders are 0700).
open_to_run_user() {
	is_root || return 0
	local d
	for d in "$WORK" "$BUILD"; do
		d=$(cd "$d" && pwd) || return 1
		while [ -n "$d" ] && [ "$d" != / ]; do
			[ -n "$(find "$d" -maxdepth 0 ! -perm -o=x)" ] && chmod o+x "$d"
			d=$(dirname "$d")
		done
	done
	chmod o+r "$ENV_FILE"
}

# wait_up NAME PID: until BASE_URL answers anything (or PID is gone).
wait_up() {
	local i
	for i in $(seq 200); do
		curl -s -o /dev/null "$BASE_URL/" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "$1 did not start" >&2
	cat "$WORK/error.log" >&2
	return 1
}

# ------------------------------------------------------------------ lighttpd

# run_lighttpd CONF PORT: checks CONF, starts lighttpd on it in the
# foreground of a background job (LIGHTTPD_PID), sets BASE_URL, and waits
# until it answers.
run_lighttpd() {
	lighttpd -tt -f "$1" >/dev/null || return 1
	lighttpd -D -f "$1" 2>>"$WORK/error.log" &
	LIGHTTPD_PID=$!
	BASE_URL="http://127.0.0.1:$2"
	wait_up lighttpd "$LIGHTTPD_PID" && watch_programs
}

# lighttpd with deploy/lighttpd/masked.conf included, as Debian's
# lighttpd.conf includes conf-enabled/ (lighty-enable-mod fastcgi masked).
start_lighttpd_deploy() {
	local port="${PORT:-$(free_port)}" conf="$WORK/lighttpd.conf"
	mkdir -p "$WORK/www" "$WORK/run" "$WORK/log"
	# The programs' stderr (server.breakagelog, $WORK/log/breakage.log here)
	# lands in the error log too, where check_reports looks.
	ln -sf ../error.log "$WORK/log/breakage.log"
	open_to_run_user
	if is_root; then
		# lighttpd opens its error log as server.username, as it is on Debian.
		touch "$WORK/error.log"
		chown "$RUN_USER" "$WORK/run" "$WORK/error.log"
	fi
	deploy_file "$DEPLOY/lighttpd/masked.conf" >"$WORK/50-masked.conf"
	{
		echo 'server.modules = ("mod_access", "mod_fastcgi")'
		echo "server.document-root = \"$WORK/www\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $port"
		echo "server.errorlog = \"$WORK/error.log\""
		echo "server.pid-file = \"$WORK/lighttpd.pid\""
		if is_root; then
			echo "server.username = \"$RUN_USER\""
			echo "server.groupname = \"$RUN_USER\""
		fi
		echo "include \"$WORK/50-masked.conf\""
	} >"$conf"
	run_lighttpd "$conf" "$port" || return 1
	SERVER_PIDS="$SERVER_PIDS $LIGHTTPD_PID"
}

# --------------------------------------------------------------------- nginx

# nginx with deploy/nginx/masked.conf as its one site; the programs' sockets
# must be there already.
start_nginx() {
	local port="${PORT:-$(free_port)}"
	deploy_file "$DEPLOY/nginx/masked.conf" |
		sed "s|^\([[:space:]]*\)listen 80;|\1listen 127.0.0.1:$port;|" \
		>"$WORK/masked-site.conf"
	run_nginx nginx "$WORK/masked-site.conf" || return 1
	BASE_URL="http://127.0.0.1:$port"
	wait_up nginx "$NGINX_PID" && watch_programs
}

# run_nginx NAME SITE: an nginx (master as root, workers as RUN_USER, as
# Debian's nginx.conf has it) with SITE as its one site, its files in
# $WORK/NAME/; sets NGINX_PID.
run_nginx() {
	local dir="$WORK/$1" site="$2" t
	mkdir -p "$dir"
	cp /etc/nginx/fastcgi_params "$dir/fastcgi_params"
	{
		is_root && echo "user $RUN_USER;"
		echo "worker_processes 2;"
		echo "pid $dir/nginx.pid;"
		echo "error_log $WORK/error.log warn;"
		echo "events { worker_connections 256; }"
		echo "http {"
		for t in client_body fastcgi proxy uwsgi scgi; do
			echo "	${t}_temp_path $dir/$t;"
		done
		echo "	include $site;"
		echo "}"
	} >"$dir/nginx.conf"
	nginx -q -t -p "$dir/" -e "$WORK/error.log" -c "$dir/nginx.conf" || return 1
	nginx -p "$dir/" -e "$WORK/error.log" -c "$dir/nginx.conf" -g 'daemon off;' \
		2>>"$WORK/error.log" &
	NGINX_PID=$!
	SERVER_PIDS="$SERVER_PIDS $!"
}

# start_tls_proxy: deploy/tls-proxy/nginx-tls-proxy.conf in front of
# BASE_URL, with a self-signed certificate for DOMAIN; sets TLS_PORT (curl
# --resolve "$DOMAIN:$TLS_PORT:127.0.0.1" -k https://$DOMAIN:$TLS_PORT/...).
start_tls_proxy() {
	local i
	TLS_PORT=$(free_port)
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$DOMAIN" \
		-keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null || return 1
	deploy_file "$DEPLOY/tls-proxy/nginx-tls-proxy.conf" | sed \
		-e "s|listen 443 ssl;|listen 127.0.0.1:$TLS_PORT ssl;|" \
		-e "s|server 127.0.0.1:8080;|server ${BASE_URL#http://};|" \
		-e "s|/etc/letsencrypt/live/[^/]*/fullchain.pem|$WORK/tls.crt|" \
		-e "s|/etc/letsencrypt/live/[^/]*/privkey.pem|$WORK/tls.key|" \
		>"$WORK/tls-proxy-site.conf"
	run_nginx tls-proxy "$WORK/tls-proxy-site.conf" || return 1
	for i in $(seq 200); do
		curl -sk -o /dev/null --resolve "$DOMAIN:$TLS_PORT:127.0.0.1" \
			"https://$DOMAIN:$TLS_PORT/" && return 0
		sleep 0.05
	done
	echo "the TLS proxy did not start" >&2
	return 1
}

# systemd_start_socket NAME: what `systemctl start masked@NAME.socket` does,
# with the units of deploy/systemd/ (the unit files, then the drop-ins, as
# systemd reads them), emulated by systemd-socket.py: the socket, the
# program started on the first request and restarted when it fails.
systemd_start_socket() {
	local name="$1" dir="$WORK/units" f i sock
	mkdir -p "$dir"
	# The test machine has no "masked" user: RUN_USER stands in for it.
	for f in "$DEPLOY"/systemd/masked@.socket "$DEPLOY"/systemd/masked@.service \
	    "$DEPLOY"/systemd/masked@.service.d/*.conf \
	    "$DEPLOY/systemd/masked@$name.service.d/"*.conf; do
		[ -f "$f" ] || continue
		deploy_file "$f" | sed -e "s/%i/$name/g" \
		    -e "s/^\(User\|Group\|SocketUser\)=masked$/\1=$RUN_USER/"
	done >"$dir/masked@$name"
	sock=$(sed -n 's/^ListenStream=//p' "$dir/masked@$name")
	python3 "$TOP/tests/lib/systemd-socket.py" "$dir/masked@$name" \
		</dev/null >>"$WORK/error.log" 2>&1 &
	SERVER_PIDS="$SERVER_PIDS $!"
	for i in $(seq 200); do
		[ -S "$sock" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.02
	done
	echo "masked@$name.socket did not start" >&2
	return 1
}

# nginx, the programs kept by systemd socket activation (deploy/systemd/).
start_nginx_systemd() {
	local p
	open_to_run_user
	for p in sessions inbound-call post-event pre-event; do
		systemd_start_socket "$p" || return 1
	done
	start_nginx
}

# masked_spawn_fcgi start|stop|status: deploy/spawn-fcgi/masked-spawn-fcgi
# with the test's paths.
masked_spawn_fcgi() {
	env PROGRAMS_DIR="$BUILD" ENV_FILE="$ENV_FILE" SOCKET_DIR="$WORK/run" \
	    LOG_FILE="$WORK/error.log" RUN_USER="$RUN_USER" WEB_GROUP="$RUN_USER" \
	    "$DEPLOY/spawn-fcgi/masked-spawn-fcgi" "$@"
}

# nginx, the programs kept by the spawn-fcgi script (deploy/spawn-fcgi/).
start_nginx_spawnfcgi() {
	local p pid i
	open_to_run_user
	masked_spawn_fcgi start >>"$WORK/error.log" 2>&1 || return 1
	for p in sessions inbound-call post-event pre-event; do
		pid=$(cat "$WORK/run/$p.pid") || return 1
		SERVER_PIDS="$SERVER_PIDS $pid"
		for i in $(seq 100); do
			[ -S "$WORK/run/$p.sock" ] && break
			sleep 0.02
		done
	done
	start_nginx
}

# -------------------------------------------------------------------- Apache

# start_apache MODE, MODE one of:
#   fcgid          Apache (event MPM) with deploy/apache/masked-fcgid.conf as
#                  its one virtual host;
#   cgi            Apache (prefork MPM, mod_cgi, no mod_fcgid) serving a folder
#                  set up as deploy/apache/shared-hosting/README.md says: its
#                  .htaccess, the three programs, and .env (a link to ENV_FILE);
#   htaccess-fcgid the same folder, on a host that has mod_fcgid.
start_apache() {
	local mode="$1" port="${PORT:-$(free_port)}" conf="$WORK/apache.conf"
	local mods=/usr/lib/apache2/modules m p i pid
	mkdir -p "$WORK/apache" "$WORK/www"
	open_to_run_user
	{
		echo "DefaultRuntimeDir $WORK/apache"
		echo "PidFile $WORK/apache/apache.pid"
		echo "Mutex file:$WORK/apache default"
		echo "Listen 127.0.0.1:$port"
		echo "ServerName 127.0.0.1"
		echo "ErrorLog $WORK/error.log"
		echo "LogLevel warn"
		if is_root; then
			echo "User $RUN_USER"
			echo "Group $RUN_USER"
		fi
		if [ "$mode" = cgi ]; then
			echo "LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so"
			echo "LoadModule cgi_module $mods/mod_cgi.so"
		else
			echo "LoadModule mpm_event_module $mods/mod_mpm_event.so"
			# As Debian's mods-available/fcgid.{load,conf}.
			echo "LoadModule fcgid_module $mods/mod_fcgid.so"
			echo "FcgidIPCDir $WORK/apache/fcgid"
			echo "FcgidProcessTableFile $WORK/apache/fcgid_shm"
			echo "FcgidConnectTimeout 20"
			# mod_fcgid logs each program's exit, and why, at info.
			echo "LogLevel warn fcgid:info"
		fi
		for m in authz_core mime alias env rewrite; do
			echo "LoadModule ${m}_module $mods/mod_$m.so"
		done
		echo "TypesConfig /etc/mime.types"
		# As Debian's apache2.conf: nothing is served but what is allowed.
		echo "<Directory />"
		echo "	AllowOverride None"
		echo "	Require all denied"
		echo "</Directory>"
		echo "<FilesMatch \"^\\.ht\">"
		echo "	Require all denied"
		echo "</FilesMatch>"
		echo "DocumentRoot $WORK/www"
		if [ "$mode" = fcgid ]; then
			# As Debian's apache2.conf grants /var/www.
			echo "<Directory $WORK/www>"
			echo "	Require all granted"
			echo "</Directory>"
			deploy_file "$DEPLOY/apache/masked-fcgid.conf" |
				sed "s|^<VirtualHost \*:80>|<VirtualHost *:$port>|"
		else
			# A shared host's usual web folder: .htaccess files obeyed.
			echo "<Directory $WORK/www>"
			echo "	Options FollowSymLinks"
			echo "	AllowOverride All"
			echo "	Require all granted"
			echo "</Directory>"
		fi
	} >"$conf"
	if [ "$mode" != fcgid ]; then
		cp "$DEPLOY/apache/shared-hosting/.htaccess" "$WORK/www/"
		for p in sessions inbound-call post-event pre-event; do
			cp "$BUILD/$p.fcgi" "$WORK/www/"
		done
		ln -sf "$ENV_FILE" "$WORK/www/.env"
		chmod -R o+rX "$WORK/www"
	fi
	apache2 -t -f "$conf" 2>>"$WORK/error.log" || { tail "$WORK/error.log" >&2; return 1; }
	# In a session of its own, as the prefork MPM signals its process group
	# at shutdown; setsid may fork, so the pid is the one Apache writes.
	setsid apache2 -f "$conf" -DFOREGROUND 2>>"$WORK/error.log" &
	for i in $(seq 200); do
		[ -s "$WORK/apache/apache.pid" ] && break
		sleep 0.05
	done
	pid=$(cat "$WORK/apache/apache.pid" 2>/dev/null) || { echo "apache did not start" >&2; return 1; }
	SERVER_PIDS="$SERVER_PIDS $pid"
	BASE_URL="http://127.0.0.1:$port"
	wait_up apache "$pid" || return 1
	# Under mod_cgi a program lives for one request: nothing to watch.
	[ "$mode" = cgi ] || watch_programs
}

# ------------------------------------------------------------------ stopping

# programs: "PID NAME START" for every process of the four programs (NAME
# sessions, inbound-call, post-event or pre-event; START its start time, in clock
# ticks after boot) run by this test's server. One ps and one awk for all:
# the crash detector calls it before every test.
programs() {
	ps -e -o pid= -o ppid= -o stat= -o comm= | awk -v tops="${LIGHTTPD_PID:-} ${SERVER_PIDS:-}" '
		{ parent[$1] = $2; state[$1] = $3; comm[$1] = $4 }
		END {
			n = split(tops, t, " ")
			for (i = 1; i <= n; i++) top[t[i]] = 1
			for (p in comm) {
				# comm is the file name cut at 15 characters.
				if (comm[p] !~ /^(sessions\.fcgi|inbound-call\.fc|post-event\.fcgi|pre-event\.fcgi)$/ ||
				    state[p] ~ /^Z/)
					continue
				# One of the tops, or below one (at most 32 levels).
				d = 0
				for (q = p; q > 1 && d++ < 32; q = parent[q])
					if (q in top) break
				if (!(q in top)) continue
				# /proc/PID/stat: the start time is the 20th field after "(comm) ".
				f = "/proc/" p "/stat"
				if ((getline l < f) <= 0) continue
				close(f)
				sub(/.*\) /, "", l)
				split(l, s, " ")
				name = comm[p]
				sub(/\.fc(gi)?$/, "", name)
				print p, name, s[20]
			}
		}'
}

# program_pids NAME: the pids of NAME.fcgi (sessions, inbound-call,
# post-event) run by this test's server, whichever it is.
program_pids() {
	programs | while read -r pid name _; do
		if [ "$name" = "$1" ]; then echo "$pid"; fi
	done
	return 0
}

# kill_program [-SIGNAL] NAME: signals every process of NAME.fcgi; fails
# when there is none. The crash detector (harness.bash) reports them: a
# test that kills on purpose uses kill_program_on_purpose.
kill_program() {
	local sig=-TERM pids
	case "$1" in -*) sig=$1; shift ;; esac
	note_programs
	pids=$(program_pids "$1")
	[ -n "$pids" ] || { echo "no $1.fcgi running" >&2; return 1; }
	# shellcheck disable=SC2086
	kill "$sig" $pids
}

# kill_program_on_purpose [-SIGNAL] NAME: kill_program, declared to the
# crash detector: each process's death by SIGNAL is expected (its pid and
# signal in $WORK/crash.expected), and so is what the server logs of it, one
# line of each kind per process; then waits (at most 5 s) until they are gone.
kill_program_on_purpose() {
	local sig=-TERM pids pid num i
	case "$1" in -*) sig=$1; shift ;; esac
	note_programs
	pids=$(program_pids "$1")
	[ -n "$pids" ] || { echo "no $1.fcgi running" >&2; return 1; }
	num=${sig#-}
	case "$num" in *[!0-9]*) num=$(kill -l "${num#SIG}") || return 1 ;; esac
	for pid in $pids; do
		echo "$pid $num $1" >>"$WORK/crash.expected"
	done
	# shellcheck disable=SC2086
	kill "$sig" $pids || return 1
	for i in $(seq 100); do
		for pid in $pids; do
			alive "$pid" && break
			pid=
		done
		[ -z "$pid" ] && return 0
		sleep 0.05
	done
	echo "$1.fcgi still running after kill $sig" >&2
	return 1
}

# The process and all its descendants, parents first.
proc_tree() {
	local kid
	echo "$1"
	for kid in $(pgrep -P "$1"); do
		proc_tree "$kid"
	done
}

alive() {
	local s
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$s" ] && [ "$s" != Z ]
}

# Stops SERVER_PIDS (each server, each program it started) and waits until
# every process of theirs has exited, so that its last words (sanitizer
# reports) are in the log. First, the crash detector checks that no program
# it noted died before this (programs_stopping); a program still running
# 10 s after SIGTERM is killed, and reported (did_not_stop).
stop_server() {
	local pid all= i
	programs_stopping
	for pid in $SERVER_PIDS; do
		all="$all $(proc_tree "$pid" | tr '\n' ' ')"
	done
	for pid in $SERVER_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for i in $(seq 200); do
		for pid in $all; do
			alive "$pid" && break
			pid=
		done
		[ -z "$pid" ] && break
		sleep 0.05
	done
	for pid in $all; do
		alive "$pid" || continue
		did_not_stop "$pid"
		kill -9 "$pid" 2>/dev/null
	done
	for pid in $SERVER_PIDS; do
		wait "$pid" 2>/dev/null
	done
	[ -n "${LIGHTTPD_PID:-}" ] && [[ " $SERVER_PIDS " == *" $LIGHTTPD_PID "* ]] && LIGHTTPD_PID=
	SERVER_PIDS=
	return 0
}
