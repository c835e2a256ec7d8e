#!/usr/bin/env bash
# `make run`: lighttpd on 127.0.0.1:${PORT:-3000} with the three programs,
# configured from .env. Without Twilio credentials it starts the built-in
# sandbox (the fake Twilio the tests use) and points the programs at it.
set -euo pipefail

BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export WORK="$TOP/run"
export PORT="${PORT:-3000}"
rm -rf "$WORK"
mkdir -p "$WORK"
source "$TOP/tests/lib/harness.bash"
trap stop_all EXIT INT TERM

# What .env (or the environment) says, to decide on the sandbox.
envval() {
	local v; v=$(printenv "$1" || true)
	if [ -z "$v" ] && [ -f "$TOP/.env" ]; then
		v=$(sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1[[:space:]]*=[[:space:]]*//p" "$TOP/.env" | tail -1)
		v=${v%\"}; v=${v#\"}; v=${v%\'}; v=${v#\'}
	fi
	printf '%s' "$v"
}

ENV_FILE="$WORK/env"
if [ -f "$TOP/.env" ]; then cp "$TOP/.env" "$ENV_FILE"; else : >"$ENV_FILE"; fi
if [ -z "$(envval TWILIO_ACCOUNT_SID)" ] || [ -z "$(envval TWILIO_AUTH_TOKEN)" ]; then
	start_fake
	{
		echo
		echo "# --- added by make run: the built-in sandbox ---"
		echo "TWILIO_SANDBOX=on"
		echo "TWILIO_ACCOUNT_SID=$ACCOUNT_SID"
		echo "TWILIO_AUTH_TOKEN=$AUTH_TOKEN"
		echo "TWILIO_CONVERSATIONS_URL=$FAKE_URL"
		echo "TWILIO_API_URL=$FAKE_URL"
		[ -n "$(envval NUMBER_POOL)$(envval NUMBER_POOL_FILE)" ] || echo "NUMBER_POOL=$POOL"
		[ -n "$(envval AUTH_USERNAME)" ] || echo "AUTH_USERNAME=sandbox"
		[ -n "$(envval AUTH_PASSWORD)" ] || echo "AUTH_PASSWORD=sandbox"
		[ -n "$(envval DOMAIN)" ] || echo "DOMAIN=127.0.0.1:$PORT"
	} >>"$ENV_FILE"
	cat <<MSG
================================================================================
  SANDBOX MODE: no TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN in .env or the
  environment, so the programs talk to the built-in sandbox (a fake Twilio at
  $FAKE_URL), NOT to Twilio. No SMS or call reaches a phone.
  Sandbox state:  curl $FAKE_URL/_fake/state
  Basic auth for /sessions: the AUTH_USERNAME and AUTH_PASSWORD of .env, else sandbox:sandbox
  Put real credentials in .env (see env.example) to use Twilio.
================================================================================
MSG
fi

if [ "$(id -u)" = 0 ] && [ -z "$(envval ALLOW_ROOT)" ]; then
	echo "ALLOW_ROOT=1" >>"$ENV_FILE"
	echo "note: running as root, so ALLOW_ROOT=1 for this local run; in production run the programs as an unprivileged user (deploy/)."
fi
for p in sessions inbound-call post-event; do
	ENV_FILE="$ENV_FILE" "$BUILD/$p.fcgi" --check | sed 's/^/  /' || true
done
start_lighttpd
echo "masked is serving on $BASE_URL (POST /sessions, /inbound-call, /conversations-post-event)"
echo "logs: $WORK/error.log; Ctrl-C stops it"
wait "$LIGHTTPD_PID"
