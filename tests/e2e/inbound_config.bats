#!/usr/bin/env bats
# POST /inbound-call with a configured voice, language and messages (SPEC §2,
# §5): a stack of its
# own. (The secondary auth token: auth.bats.)

load helpers

# Every character XML gives a meaning to, in both messages.
OOS_MSG=$'No <session> & "you" aren\'t > in one'
CONNECT_MSG=$'Connecting <you> & "them" \'now\''

setup_file() {
	start_stack "CALL_ANNOUCEMENT_VOICE=Polly.Amy" "CALL_ANNOUCEMENT_LANGUAGE=en-GB" \
		"OUT_OF_SESSION_MESSAGE_FOR_CALL=$OOS_MSG" \
		"CONNECTING_CALL_ANNOUCEMENT=$CONNECT_MSG"
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

XML='<?xml version="1.0" encoding="UTF-8"?>'
A=+14155551234 PA=+14155550100
B=+12125551234 PB=+12125550100
C=+16045551234 PC=+16045550100

# The document parsed: prints one line per element, "tag attr=value... | text",
# the text as decoded; fails when the document is not well-formed XML.
parsed() {
	printf '%s' "$body" | "$PY" -S -c '
import sys, xml.etree.ElementTree as ET
for e in ET.fromstring(sys.stdin.buffer.read()).iter():
    a = " ".join("%s=%s" % kv for kv in e.attrib.items())
    print("%s %s| %s" % (e.tag, a + " " if a else "", e.text or ""))'
}

@test "voice and language on <Say>, and the out-of-session message XML-escaped" {
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[ "$ctype" = text/xml ]
	[[ "$body" == "$XML<Response><Say voice=\"Polly.Amy\" language=\"en-GB\">"*"</Say></Response>" ]]
	# The characters that must be escaped in text are; nothing raw is left.
	say=${body#*en-GB\">}
	say=${say%</Say>*}
	[[ "$say" == "No &lt;session&gt; &amp; "*" in one" ]]
	[[ "$say" != *[\<]* ]]
	run parsed
	[ "$status" = 0 ]
	[ "$output" = "Response | 
Say voice=Polly.Amy language=en-GB | $OOS_MSG" ]
}

@test "the connecting announcement is escaped too, and carries voice and language" {
	seed active "$A/$PA" "$B/$PB" >/dev/null
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[[ "$body" == "$XML<Response><Say voice=\"Polly.Amy\" language=\"en-GB\">Connecting &lt;you&gt; &amp; "*"</Say><Dial callerId=\"$PB\"><Number>$B</Number></Dial></Response>" ]]
	run parsed
	[ "$status" = 0 ]
	[ "$output" = "Response | 
Say voice=Polly.Amy language=en-GB | $CONNECT_MSG
Dial callerId=$PB | 
Number | $B" ]
}

@test "a conference: voice and language on the caller's <Say>, none in the callees' TwiML" {
	seed active "$A/$PA" "$B/$PB" "$C/$PC" >/dev/null
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	run parsed
	[ "$status" = 0 ]
	[[ "$output" == "Response | 
Say voice=Polly.Amy language=en-GB | $CONNECT_MSG
Dial | 
Conference endConferenceOnExit=true | +14155551234_at_"* ]]
	fake_get state | jq -e '(.calls | length) == 2 and all(.calls[]; .twiml_error == null and
		(.params.Twiml | startswith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial><Conference>+14155551234_at_")))'
}

@test "the apology carries voice and language too" {
	fault '{"path":"^/v1/ParticipantConversations$","status":503,"times":-1}'
	webhook /inbound-call From="$A" Called="$PA" To="$PA"
	[ "$status_code" = 200 ]
	[ "$ctype" = text/xml ]
	[[ "$body" == "$XML<Response><Say voice=\"Polly.Amy\" language=\"en-GB\">"*"</Say></Response>" ]]
	[[ "$body" != *"session"* ]]
}
