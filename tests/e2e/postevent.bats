#!/usr/bin/env bats
# POST /conversations-post-event (SPEC §6), through the web server, against
# the fake Twilio: which events delete, what is answered, Twilio failing under
# the DELETE. Signatures: auth.bats.

load helpers

setup_file() {
	start_stack
}
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234

# event NAME=VALUE...: a signed post-event webhook; sets $status_code, $ctype,
# $body.
event() { webhook /conversations-post-event "$@"; }

# seed_closed [STATE]: a closed (or STATE) conversation with two people in the
# fake; prints its SID.
seed_closed() { seed "${1:-closed}" "$A/+14155550100" "$B/+12125550100"; }

# The conversation SIDs the fake still holds, space separated.
held() { fake_get state | jq -r '[.conversations[].sid] | join(" ")'; }

# How many DELETEs the product sent.
deletes() { fake_get requests | jq '[.[] | select(.method == "DELETE")] | length'; }

expect() {
	[ "$status_code" = "$1" ] && [ "$body" = "$2" ] && [[ "$ctype" == text/plain* ]] || {
		printf 'got:  %s %s (%s)\nwant: %s %s\n' "$status_code" "$body" "$ctype" "$1" "$2"
		return 1
	}
}

@test "onConversationUpdated with State=closed deletes the conversation" {
	sid=$(seed_closed)
	other=$(seed_closed active)
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed \
		ChatServiceSid=IS0123456789abcdef0123456789abcdef AccountSid="$ACCOUNT_SID" \
		Source=API RetryCount=0 FriendlyName="Ride 42" Attributes='{"a":1}'
	expect 200 "$sid deleted"
	[ "$(held)" = "$other" ]
	fake_get requests | jq -e --arg p "/v1/Conversations/$sid" \
		'[.[] | {method, path, status, auth_ok}] == [{method: "DELETE", path: $p, status: 204, auth_ok: true}]'
}

@test "onConversationStateUpdated with StateTo=closed deletes the conversation" {
	sid=$(seed_closed)
	event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=inactive \
		StateTo=closed Reason=TIMER ChatServiceSid=IS0123456789abcdef0123456789abcdef
	expect 200 "$sid deleted"
	[ "$(held)" = "" ]
}

@test "a second delivery of the same event answers already deleted" {
	sid=$(seed_closed)
	event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=active StateTo=closed
	expect 200 "$sid deleted"
	event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=active StateTo=closed
	expect 200 "$sid already deleted"
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	expect 200 "$sid already deleted"
	[ "$(deletes)" = 3 ]
}

@test "other events are not processed and delete nothing" {
	sid=$(seed_closed)
	for ev in "EventType=onConversationUpdated State=active" \
	    "EventType=onConversationUpdated State=inactive" \
	    "EventType=onConversationUpdated StateTo=closed" \
	    "EventType=onConversationStateUpdated StateFrom=active StateTo=inactive" \
	    "EventType=onConversationStateUpdated State=closed" \
	    "EventType=onConversationStateUpdated StateTo=Closed" \
	    "EventType=onMessageAdded State=closed StateTo=closed" \
	    "EventType=onConversationRemoved State=closed" \
	    "EventType=onconversationupdated State=closed" \
	    "State=closed StateTo=closed"; do
		# shellcheck disable=SC2086
		event ConversationSid="$sid" $ev
		expect 200 "not processed" || { echo "event: $ev"; return 1; }
	done
	[ "$(held)" = "$sid" ]
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "a persisting 500 on DELETE is a 500 naming the conversation and Twilio's reason" {
	sid=$(seed_closed)
	fault "{\"method\":\"DELETE\",\"path\":\"^/v1/Conversations/$sid\$\",\"status\":500,\"message\":\"Database on fire\",\"times\":-1}"
	event EventType=onConversationStateUpdated ConversationSid="$sid" StateFrom=active StateTo=closed
	expect 500 "$sid failed to delete: Database on fire"
	[ "$(held)" = "$sid" ]
	# DELETE is idempotent: retried like a 429 (SPEC §3), 5 retries by default.
	[ "$(deletes)" = 6 ]
}

@test "a single 500 on DELETE is retried and the conversation deleted" {
	sid=$(seed_closed)
	fault '{"method":"DELETE","status":500}'
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	expect 200 "$sid deleted"
	[ "$(held)" = "" ]
	fake_get requests | jq -e '[.[].status] == [500, 204]'
}

@test "a dropped connection on every DELETE is a 500 that Twilio will retry" {
	sid=$(seed_closed)
	fault '{"method":"DELETE","drop":true,"times":-1}'
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	[ "$status_code" = 500 ]
	[[ "$body" == "$sid failed to delete: "?* ]]
	[ "$(held)" = "$sid" ]
}

@test "a 403 from Twilio on DELETE is a failure, not already deleted" {
	sid=$(seed_closed)
	fault '{"method":"DELETE","status":403,"code":20003,"message":"Permission Denied","times":-1}'
	event EventType=onConversationUpdated ConversationSid="$sid" State=closed
	expect 500 "$sid failed to delete: Permission Denied"
	[ "$(deletes)" = 1 ]
}

@test "a closing event whose ConversationSid is not CH + 32 hex is 400 and deletes nothing" {
	sid=$(seed_closed)
	for bad in "" CH123 "${sid}0" "${sid:0:33}" "MB${sid:2}" "ch${sid:2}" \
	    "CH0123456789abcdef0123456789abcdeg" "CH0123456789abcdef0123456789abc/ef" \
	    "../../v1/Conversations/$sid"; do
		event EventType=onConversationUpdated ConversationSid="$bad" State=closed
		[ "$status_code" = 400 ] || { echo "'$bad': $status_code $body"; return 1; }
	done
	event EventType=onConversationStateUpdated StateTo=closed
	[ "$status_code" = 400 ]
	[ "$(held)" = "$sid" ]
	[ "$(fake_get requests | jq length)" = 0 ]
}

@test "GET is 405 and an unknown path below is 404" {
	run curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/conversations-post-event"
	[ "$output" = 405 ]
	run curl -s -o /dev/null -w '%{http_code}' -X POST --data 'EventType=x' "$BASE_URL/conversations-post-event/x"
	[ "$output" = 404 ]
}
