# openapi.bash: the answers the end-to-end tests get, held to openapi.yaml.
# Sourced by the e2e helpers.
#
#   openapi_record METHOD PATH STATUS CTYPE BODY [NAME: VALUE...]
#       appends the answer, as one JSON line, to $OPENAPI_ANSWERS (default
#       $WORK/openapi-answers.jsonl), labelled with $CASE when it is set.
#       PATH as requested, query string included; the optional headers
#       ("WWW-Authenticate: Basic realm=...", "Allow: GET, POST") are checked
#       against the documented ones.
#   openapi_verify
#       checks every recorded answer against the spec ($OPENAPI_SPEC, default
#       openapi.yaml at the top of the project); fails, printing the checker's
#       report, if any does not conform. Nothing recorded: succeeds.
#
# The checker runs under Debian's python3 ($OPENAPI_PY, default
# /usr/bin/python3), which has python3-jsonschema and python3-yaml.

openapi_answers() { echo "${OPENAPI_ANSWERS:-$WORK/openapi-answers.jsonl}"; }

openapi_spec() {
	echo "${OPENAPI_SPEC:-$BATS_TEST_DIRNAME/../../openapi.yaml}"
}

openapi_record() {
	local method="$1" path="$2" status="$3" ctype="$4" body="$5" h headers='{}'
	shift 5 || { echo "usage: openapi_record METHOD PATH STATUS CTYPE BODY [NAME: VALUE...]" >&2; return 2; }
	for h in "$@"; do
		headers=$(jq -c -n --argjson h "$headers" --arg n "${h%%:*}" --arg v "${h#*:}" \
			'$h + {($n | ascii_downcase): ($v | sub("^\\s+"; ""))}') || return 1
	done
	# A status that is not a number (curl's 000 aside) stays a string, which
	# the checker refuses.
	[[ "$status" =~ ^[0-9]+$ ]] && status=$((10#$status)) || status=$(jq -n --arg s "$status" '$s')
	jq -c -n --arg method "$method" --arg path "$path" --argjson status "$status" \
		--arg content_type "$ctype" --arg body "$body" --arg case "${CASE:-}" \
		--argjson headers "$headers" \
		'{method: $method, path: $path, status: $status, content_type: $content_type,
		  body: $body}
		 + (if $case != "" then {case: $case} else {} end)
		 + (if $headers != {} then {headers: $headers} else {} end)' \
		>>"$(openapi_answers)"
}

openapi_verify() {
	local file out rc
	file=$(openapi_answers)
	[ -s "$file" ] || return 0
	out=$("${OPENAPI_PY:-/usr/bin/python3}" "$(dirname "${BASH_SOURCE[0]}")/openapi_check.py" \
		"$(openapi_spec)" "$file" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || printf '%s\n' "$out"
	return "$rc"
}
