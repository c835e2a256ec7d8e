#!/usr/bin/env bash
# `make run`: lighttpd on 127.0.0.1:${PORT:-3000} with the four programs,
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

# The keys the sandbox sets itself, so that it is consistent whatever .env
# says: the README's examples (sandbox:sandbox, the signatures over
# https://127.0.0.1:3000/..., the proxy numbers shown) then run as written.
SANDBOX_KEYS="TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_AUTH_TOKEN_SECONDARY
TWILIO_CONVERSATIONS_URL TWILIO_API_URL TWILIO_EDGE TWILIO_REGION TWILIO_SANDBOX
NUMBER_POOL NUMBER_POOL_FILE DOMAIN AUTH_USERNAME AUTH_PASSWORD
TWILIO_WEBHOOK_VALIDATION"

ENV_FILE="$WORK/env"
if [ -f "$TOP/.env" ]; then cp "$TOP/.env" "$ENV_FILE"; else : >"$ENV_FILE"; fi
if [ -z "$(envval TWILIO_ACCOUNT_SID)" ] || [ -z "$(envval TWILIO_AUTH_TOKEN)" ] ||
    [[ "$(envval TWILIO_ACCOUNT_SID)" == *xxxx* ]]; then
	start_fake
	replaced=
	for k in $SANDBOX_KEYS; do
		[ -n "$(envval "$k")" ] && replaced="$replaced $k"
		unset "$k"
	done
	grep -Ev "^[[:space:]]*(export[[:space:]]+)?($(echo $SANDBOX_KEYS | tr ' ' '|'))[[:space:]]*=" \
		"$ENV_FILE" >"$ENV_FILE.new" || true
	mv "$ENV_FILE.new" "$ENV_FILE"
	SANDBOX_DOMAIN="127.0.0.1:$PORT"
	{
		echo
		echo "# --- added by make run: the built-in sandbox ---"
		echo "TWILIO_SANDBOX=on"
		echo "TWILIO_ACCOUNT_SID=$ACCOUNT_SID"
		echo "TWILIO_AUTH_TOKEN=$AUTH_TOKEN"
		echo "TWILIO_CONVERSATIONS_URL=$FAKE_URL"
		echo "TWILIO_API_URL=$FAKE_URL"
		echo "NUMBER_POOL=$POOL"
		echo "AUTH_USERNAME=sandbox"
		echo "AUTH_PASSWORD=sandbox"
		echo "DOMAIN=$SANDBOX_DOMAIN"
	} >>"$ENV_FILE"
	cat <<MSG
================================================================================
  SANDBOX MODE: no Twilio credentials in .env or the environment, so the
  programs talk to the built-in sandbox (a fake Twilio), NOT to Twilio: no SMS
  or call reaches a phone. In effect:
    Twilio (fake)      $FAKE_URL   (state: curl $FAKE_URL/_fake/state)
    auth token         $AUTH_TOKEN   (signs the webhooks)
    DOMAIN             $SANDBOX_DOMAIN   (signatures: https://$SANDBOX_DOMAIN/...)
    NUMBER_POOL        $POOL
    /sessions login    sandbox:sandbox
MSG
	[ -z "$replaced" ] || echo "  Set by the sandbox instead of .env or the environment:$replaced"
	cat <<MSG
  Put real credentials in .env (see env.example) to use Twilio.
================================================================================
MSG
fi

if [ "$(id -u)" = 0 ] && [ -z "$(envval ALLOW_ROOT)" ]; then
	echo "ALLOW_ROOT=1" >>"$ENV_FILE"
	echo "note: running as root, so ALLOW_ROOT=1 for this local run; in production run the programs as an unprivileged user (deploy/)."
fi
# What --check refuses would make every request a 503: stop here instead.
bad=
for p in sessions inbound-call post-event pre-event; do
	if ! out=$(ENV_FILE="$ENV_FILE" "$BUILD/$p.fcgi" --check 2>&1); then
		printf '%s\n' "$out" | sed 's/^/  /'
		bad="$bad $p"
	fi
done
if [ -n "$bad" ]; then
	echo "make run: the configuration (.env and the environment) is not usable by:$bad" >&2
	echo "make run: fix what is listed above (env.example explains each variable), then run it again" >&2
	exit 1
fi
start_lighttpd
if [ -n "${SANDBOX_DOMAIN:-}" ]; then
	# The sandbox sends the Conversations webhooks Twilio would: texts
	# (POST $FAKE_URL/_fake/sms) pass through /conversations-pre-event.
	curl -sf -X POST -H 'Content-Type: application/json' --data \
	    "{\"pre_url\": \"$BASE_URL/conversations-pre-event\", \"post_url\": \"$BASE_URL/conversations-post-event\", \"signed_base\": \"https://$SANDBOX_DOMAIN\"}" \
	    "$FAKE_URL/_fake/webhooks" >/dev/null
	echo "sandbox: a text from a participant to their proxy number: curl -s -X POST $FAKE_URL/_fake/sms -d '{\"from\": \"+14155551234\", \"to\": \"PROXY\", \"body\": \"hi\"}'"
fi
echo "masked is serving on $BASE_URL (/sessions, /inbound-call, /conversations-post-event, /conversations-pre-event)"
echo "logs: $WORK/error.log; Ctrl-C stops it"
wait "$LIGHTTPD_PID"
