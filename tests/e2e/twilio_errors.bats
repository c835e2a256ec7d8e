#!/usr/bin/env bats
# Twilio refusing or failing under POST /sessions (SPEC §3, §4): its 4xx kept
# with its status and code, its 5xx and dropped connections a 502, 429s
# retried; in every case no conversation is left behind by a session reported
# as failed. Under each web server, and under valgrind. Hangs, cut answers
# and the deadline: twilio_failures.bats.

load helpers

setup_file() { start_stack; }
teardown_file() { stop_stack; }
setup() { load_harness; reset_fake; }

A=+14155551234 B=+12125551234 C=+16045551234

# ------------------------------------------------------- Twilio refusing

@test "a uniqueName taken: the second session is 409 with twilioCode 50353 and leaves nothing" {
	post_session "{\"addresses\":[\"$A\",\"$B\"],\"uniqueName\":\"only-once\"}"
	[ "$status_code" = 200 ]
	first=$(echo "$body" | jq -r .sid)
	post_session "{\"addresses\":[\"$C\",\"$B\"],\"uniqueName\":\"only-once\"}"
	expect_error 409 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 50353 and .twilioStatus == 409 and
		.message == "Conversation with provided unique name already exists"'
	fake_get state | jq -e --arg s "$first" '[.conversations[].sid] == [$s] and
		(.conversations[0].participants | length) == 2'
	# No participant was added for the second attempt.
	[ "$(forms POST '/Participants$' | jq length)" = 2 ]
	verify
}

@test "Twilio's 400 on a parameter keeps its status and code" {
	post_session "{\"addresses\":[\"$A\"],\"timers\":{\"inactive\":\"PT30S\"}}"
	expect_error 400 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 20001 and .twilioStatus == 400 and (.message | contains("Timers.Inactive"))'
	[ "$(conversation_count)" = 0 ]
	verify
}

@test "Twilio's 404 (an unknown messagingServiceSid) keeps its status and code" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":404,"code":20404,"message":"The requested resource /Services/MG0123456789abcdef0123456789abcdef was not found"}'
	post_session "{\"addresses\":[\"$A\"],\"messagingServiceSid\":\"MG0123456789abcdef0123456789abcdef\"}"
	expect_error 404 twilio_rejected
	echo "$body" | jq -e '.twilioCode == 20404 and .twilioStatus == 404 and (.message | contains("MG0123456789abcdef0123456789abcdef"))'
	[ "$(conversation_count)" = 0 ]
	verify
}

# -------------------------------------------------------- Twilio failing

@test "a 500 on a participant add: 502, and the new conversation is deleted" {
	fault "{\"method\":\"POST\",\"path\":\"/Participants\$\",\"match\":{\"MessagingBinding.Address\":\"^\\\\$B\$\"},\"status\":500,\"times\":-1}"
	post_session "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	expect_error 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 500 and .twilioCode == 20500'
	[ "$(conversation_count)" = 0 ]
	# The conversation had been created; its DELETE is in the log, after the adds.
	fake_get requests | jq -e '
		([.[] | select(.method == "POST" and .path == "/v1/Conversations")] | length) == 1 and
		([.[] | select(.method == "DELETE")] | length) == 1 and
		([.[] | select(.method == "DELETE")][0].path) as $d |
		([.[] | select(.method == "POST" and (.path | endswith("/Participants"))) | .path] | unique) == ["\($d)/Participants"] and
		([.[] | select(.method == "DELETE")][0].status) == 204'
	# A create is not blindly repeated: one attempt for B.
	[ "$(forms POST '/Participants$' | jq --arg b "$B" '[.[] | select(."MessagingBinding.Address" == [$b])] | length')" = 1 ]
	verify
}

@test "a dropped connection on a participant add: 502 twilio_unreachable at once, and the conversation is deleted" {
	fault '{"method":"POST","path":"/Participants$","drop":true,"times":-1}'
	t0=$SECONDS
	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 15
	[ $((SECONDS - t0)) -lt 10 ]
	[ "$status_code" = 502 ]
	echo "$body" | jq -e '.error == "twilio_unreachable"'
	deleted_once
}

@test "a 500 on the conversation create: 502, nothing left" {
	fault '{"method":"POST","path":"^/v1/Conversations$","status":500,"times":-1}'
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	expect_error 502 twilio_error
	[ "$(conversation_count)" = 0 ]
	# Not blindly repeated.
	[ "$(forms POST '^/v1/Conversations$' | jq length)" = 1 ]
	verify
}

# ---------------------------------------------------------------- 429s

@test "a 429 storm on the participant adds (every 2nd, Retry-After: 0) still makes the session" {
	fault '{"method":"POST","path":"/Participants$","status":429,"code":20429,"every":2,"retry_after":0,"times":-1}'
	post_session "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	[ "$status_code" = 200 ] || { echo "$body"; return 1; }
	echo "$body" | jq -e '.participants | length == 3 and all(.[]; .sid | test("^MB[0-9a-f]{32}$"))'
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 3'
	n=$(fake_get requests | jq '[.[] | select(.status == 429)] | length')
	[ "$n" -ge 2 ]
}

@test "a 429 storm on every Twilio call still makes the session" {
	fault '{"status":429,"code":20429,"every":2,"retry_after":0,"times":-1}'
	post_session "{\"addresses\":[\"$A\",\"$B\",\"$C\"]}"
	[ "$status_code" = 200 ] || { echo "$body"; return 1; }
	fake_get state | jq -e '(.conversations | length) == 1 and (.conversations[0].participants | length) == 3'
	fake_get requests | jq -e '[.[] | select(.status == 429)] | length >= 3'
}

@test "429 storms, with and without Retry-After, are ridden out" {
	fault '{"status":429,"retry_after":0,"times":4},{"status":429,"times":4,"skip":4}'
	post_session "{\"addresses\":[\"$A\",\"$B\"]}" -m 15
	[ "$status_code" = 200 ] || { echo "$status_code $body" >&2; return 1; }
	[ "$(conversation_count)" = 1 ]
	fake_get requests | jq -e '[.[] | select(.status == 429)] | length == 8'
}

@test "429 past the retry budget: 502 with Twilio's 429, nothing left" {
	fault '{"method":"POST","path":"/Participants$","status":429,"code":20429,"retry_after":0,"times":-1}'
	post_session "{\"addresses\":[\"$A\",\"$B\"]}"
	expect_error 502 twilio_error
	echo "$body" | jq -e '.twilioStatus == 429 and .twilioCode == 20429'
	[ "$(conversation_count)" = 0 ]
	verify
}
