#!/usr/bin/env bats
# The request deadline (REQUEST_TIMEOUT_MS, SPEC §3-§6): Twilio hanging makes
# a 504 for /sessions, an apology for /inbound-call and a 500 for the
# post-event, each within the deadline, and no half-made conversation. A
# stack of its own, with a short deadline.

load helpers

DEADLINE_MS=1000
# What the web server and a loaded machine may add on top of the deadline.
SLACK_MS=2000

setup_file() {
	start_stack "REQUEST_TIMEOUT_MS=$DEADLINE_MS"
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234

# timed_session JSON: POST /sessions; sets $status_code, $body and $ms.
timed_session() {
	local out
	out=$(curl -s -o - -w '\n%{http_code} %{time_total}' -u "$AUTH_USER:$AUTH_PASS" \
		-H 'Content-Type: application/json' --data-binary "$1" "$BASE_URL/sessions")
	body=${out%$'\n'*}
	out=${out##*$'\n'}
	status_code=${out% *}
	ms=$(awk -v t="${out#* }" 'BEGIN { printf "%d", t * 1000 }')
}

within_deadline() {
	[ "$ms" -lt $((DEADLINE_MS + SLACK_MS)) ] || { echo "took $ms ms"; return 1; }
}

@test "the conversation create hangs: 504 within the deadline, nothing made" {
	fault '{"method":"POST","path":"^/v1/Conversations$","hang":true}'
	timed_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 504 ] || { echo "$status_code $body"; return 1; }
	echo "$body" | jq -e '.error == "timeout" and (.message | length > 0)'
	within_deadline
	[ "$ms" -ge $((DEADLINE_MS - 100)) ]
	[ "$(conversation_count)" = 0 ]
}

@test "the create answers after the deadline: 504 within the deadline" {
	# (An error when it comes: a late real create would leak into the next test.)
	fault "{\"method\":\"POST\",\"path\":\"^/v1/Conversations\$\",\"delay_ms\":$((DEADLINE_MS + 4000)),\"status\":500}"
	timed_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 504 ]
	within_deadline
}

@test "a look-up hangs after the create: 504 within the deadline, and the conversation is deleted" {
	fault '{"method":"GET","path":"^/v1/ParticipantConversations$","match":{"Address":"^\\+12125551234$"},"hang":true}'
	timed_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 504 ] || { echo "$status_code $body"; return 1; }
	within_deadline
	[ "$(conversation_count)" = 0 ]
	fake_get requests | jq -e '[.[] | select(.method == "POST" and .path == "/v1/Conversations") | .status] == [201] and
		[.[] | select(.method == "DELETE") | .status] == [204]'
}

@test "a participant add hangs: 504 within the deadline, and the conversation is deleted" {
	fault '{"method":"POST","path":"/Participants$","hang":true,"times":-1}'
	timed_session "{\"addresses\":[\"$A\",\"$B\"]}"
	[ "$status_code" = 504 ] || { echo "$status_code $body"; return 1; }
	within_deadline
	deleted_once
}

@test "inbound-call: Twilio hangs: the caller hears the apology within the deadline" {
	fault '{"path":"^/v1/ParticipantConversations$","hang":true,"times":-1}'
	webhook /inbound-call From="$A" Called=+14155550100
	[ "$body" = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, we cannot connect your call right now. Please try again later.</Say></Response>' ]
	[ "$status_code $ctype" = "200 text/xml" ]
	within_deadline
}

@test "post-event: the DELETE hangs: 500 failed to delete, within the deadline" {
	sid=$(fake_seed '{"conversations":[{"state":"closed"}]}' | jq -r '.sids[0]')
	fault '{"method":"DELETE","hang":true,"times":-1}'
	webhook /conversations-post-event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 500 ]
	[[ "$body" == "$sid failed to delete: "?* ]]
	within_deadline
	[ "$(conversation_count)" = 1 ]
}
