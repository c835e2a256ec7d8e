#!/usr/bin/env bats
# Who may call (SPEC §4, §8): Basic authentication on POST /sessions (401
# with the challenge, the message saying why, nothing asked of Twilio), and
# Twilio's X-Twilio-Signature on the webhooks (403 when missing, forged,
# replayed for another URL or tampered with), signed with the primary or the
# secondary auth token. With validation off: inbound_novalidation.bats.

load helpers

SECOND_TOKEN=the-secondary-auth-token

setup_file() { start_stack "TWILIO_AUTH_TOKEN_SECONDARY=$SECOND_TOKEN"; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

# People and the pool numbers (tests/lib/harness.bash) they talk through.
A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234
D=+442079460000 PD=+442071838750

# ------------------------------------------------- Basic auth on /sessions

@test "no credentials: 401 with WWW-Authenticate: Basic realm=\"sessions\"" {
	req -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
	[ "$challenge" = 'Basic realm="sessions"' ]
	expect_error 401 unauthorized
	verify
	nothing_made
}

@test "wrong password, wrong user: 401 with the challenge" {
	for CASE in "$AUTH_USER:wrong" "$AUTH_USER:${AUTH_PASS}x" "$AUTH_USER:${AUTH_PASS% *}" \
	    "other:$AUTH_PASS" "${AUTH_USER^^}:$AUTH_PASS" "$AUTH_USER:"; do
		req -u "$CASE" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
		expect_error 401 unauthorized
	done
	verify
	nothing_made
}

@test "malformed credentials: bad base64, no colon, another scheme: 401" {
	nocolon=$(printf '%s' "$AUTH_USER" | base64)
	good=$(printf '%s' "$AUTH_USER:$AUTH_PASS" | base64 -w0)
	for CASE in "Basic !!!not-base64!!!" "Basic ${good%?}" "Basic $nocolon" "Basic" "Basic " \
	    "Bearer $good" "Digest username=\"$AUTH_USER\"" "$good"; do
		req -H "Authorization: $CASE" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
		expect_error 401 unauthorized
	done
	verify
	nothing_made
	# The same credentials, well formed, are accepted (a colon in the password too).
	req -H "Authorization: Basic $good" -H 'Content-Type: application/json' --data "{\"addresses\":[\"$A\"]}"
	[ "$status_code" = 200 ]
}

@test "basic auth: missing, wrong, malformed: the message says which" {
	local json='{"addresses":["+14155551234","+12125551234"]}'
	b64() { printf '%s' "$1" | base64 -w0; }
	while IFS='|' read -r CASE word; do
		if [ "$CASE" = none ]; then
			req -H 'Content-Type: application/json' --data-binary "$json"
		else
			req -H "Authorization: $CASE" -H 'Content-Type: application/json' --data-binary "$json"
		fi
		expect_error 401 unauthorized - "$word"
	done <<-EOF
		none|basic authentication required
		Bearer abc|basic authentication required
		Basic $(b64 "$AUTH_USER:wrong")|wrong credentials
		Basic $(b64 "other:$AUTH_PASS")|wrong credentials
		Basic !!!notbase64!!!|malformed
		Basic $(b64 nocolon)|malformed
		Basic $(b64 ":$AUTH_PASS")|malformed
		Basic =|malformed
	EOF
	verify
	[ "$(conversation_count)" = 0 ]
}

# ------------------------------------------------ signatures on the webhooks

@test "signature: missing is 403 and nothing is asked of Twilio" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGNATURE=- webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 403 ]
	[[ "$body" != *"<Dial"* ]]
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "signature: made with the wrong token is 403" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGN_TOKEN=not-the-token webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 403 ]
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "signature: a request signed for another URL (replayed) is 403" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	for url in "https://$DOMAIN/conversations-post-event" "https://other.example.com/inbound-call" \
	    "http://$DOMAIN/inbound-call" "https://$DOMAIN:8443/inbound-call" "https://$DOMAIN/inbound-call?x=1"; do
		SIGN_URL=$url webhook /inbound-call From="$A" Called="$PA" To="$PA"
		[ "$status_code" = 403 ] || { echo "$url: $status_code"; false; }
	done
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "signature: a tampered parameter is 403" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	seed active "$C/$PA" "$D/$PD" >/dev/null
	sig=$(signature "$AUTH_TOKEN" "https://$DOMAIN/inbound-call" From="$A" Called="$PA" To="$PA")
	SIGNATURE=$sig webhook /inbound-call From="$C" Called="$PA" To="$PA"
	[ "$status_code" = 403 ]
	# A parameter added to what was signed.
	SIGNATURE=$sig webhook /inbound-call From="$A" Called="$PA" To="$PA" Extra=1
	[ "$status_code" = 403 ]
	# One removed.
	SIGNATURE=$sig webhook /inbound-call From="$A" Called="$PA"
	[ "$status_code" = 403 ]
	[ "$(fake_get requests | jq length)" = 0 ]
	# The untampered request goes through.
	SIGNATURE=$sig webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
}

@test "signature: a header that is not base64 of 20 bytes is 403" {
	for sig in 'not base64!' 'AAAA' '' "$(printf 'x%.0s' {1..28})"; do
		SIGNATURE=$sig webhook /inbound-call From="$A" Called="$PA" To="$PA"
		[ "$status_code" = 403 ] || { echo "'$sig': $status_code"; false; }
	done
}

@test "signature: signed with :443 in the URL is accepted (inbound-call)" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGN_URL="https://$DOMAIN:443/inbound-call" webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
}

@test "signature: the query string is part of the signed URL" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	webhook "/inbound-call?tenant=7&x=a%20b" From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	SIGN_URL="https://$DOMAIN/inbound-call" webhook "/inbound-call?tenant=7&x=a%20b" From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 403 ]
}

@test "signature: values are signed decoded (spaces, plus signs, UTF-8)" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	webhook /inbound-call From="$A" Called="$PA" To="$PA" CallerName="Zoë + O'Brien & co" FromCity="SAN FRANCISCO"
	expect_twiml "$(dial "$PB" "$B")"
}

@test "signature: a bad one on the post-event is 403 and nothing is deleted" {
	sid=$(seed closed "$A/$PA" "$B/$PB")
	SIGN_TOKEN=wrong-token webhook /conversations-post-event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 403 ]
	SIGNATURE=- webhook /conversations-post-event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 403 ]
	# Signed for another conversation, sent for this one.
	SIGNATURE=$(signature "$AUTH_TOKEN" "https://$DOMAIN/conversations-post-event" \
		EventType=onConversationUpdated ConversationSid=CH00000000000000000000000000000000 State=closed) \
		webhook /conversations-post-event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 403 ]
	# Signed for the other webhook's URL.
	SIGN_URL="https://$DOMAIN/inbound-call" webhook /conversations-post-event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 403 ]
	[ "$(fake_get state | jq -r '[.conversations[].sid] | join(" ")')" = "$sid" ]
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "signature: signed with :443 in the URL is accepted (post-event)" {
	sid=$(seed closed "$A/$PA" "$B/$PB")
	SIGN_URL="https://$DOMAIN:443/conversations-post-event" webhook /conversations-post-event \
		EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 200 ] && [ "$body" = "$sid deleted" ] && [[ "$ctype" == text/plain* ]]
}

@test "webhooks: missing, garbage, tampered and replayed signatures are 403" {
	for path in /inbound-call /conversations-post-event /conversations-pre-event; do
		SIGNATURE=' ' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		SIGNATURE='garbage' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		SIGNATURE='AAAAAAAAAAAAAAAAAAAAAAAAAAA=' webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
		# Signed for the other endpoint: a replay.
		SIGN_URL="https://$DOMAIN/other" webhook $path From=+14155551234 Called=+14155550100
		[ "$status_code" = 403 ]
	done
	# A valid signature over other values than those sent.
	sig=$(signature "$AUTH_TOKEN" "https://$DOMAIN/inbound-call" From=+14155551234 Called=+14155550100)
	SIGNATURE=$sig webhook /inbound-call From=+14155559999 Called=+14155550100
	[ "$status_code" = 403 ]
	# A body that is not a valid form: 400, whatever the signature.
	SIGNATURE=$sig webhook /inbound-call -- --data-binary 'From=%ZZ'
	[ "$status_code" = 400 ]
	fake_get requests | jq -e 'length == 0'
}

@test "the secondary auth token is accepted as well as the primary" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGN_TOKEN=$SECOND_TOKEN webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	expect_twiml "$(dial "$PB" "$B")"
	n=$(fake_get requests | jq '[.[] | select(.path == "/v1/ParticipantConversations")] | length')
	[ "$n" = 2 ]
}

@test "a third token is still refused" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	SIGN_TOKEN="not-$SECOND_TOKEN" webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 403 ]
	[ "$(fake_get requests | jq length)" = 0 ]
}
