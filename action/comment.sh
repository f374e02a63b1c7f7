#!/usr/bin/env bash
# The sticky pull-request comment: one comment per pull request (and key), found by a hidden
# marker and updated on every push instead of adding one each time. Through the REST API
# with curl; JSON with jq.
#
#   comment.sh BODY_FILE
#
# Environment:
#   TESTCERT_TOKEN        a token with pull-requests: write (the job's GITHUB_TOKEN)
#   GITHUB_REPOSITORY     owner/name
#   GITHUB_API_URL        default https://api.github.com
#   TESTCERT_PR           the pull request's number (default: the event's pull_request.number)
#   TESTCERT_COMMENT_KEY  tells apart the comments of several checks of one repository
#                         (default: testcert)
#   TESTCERT_HEAD_SHA     refuse unless the pull request's head is this commit (the
#                         workflow_run pattern, where the number comes from an artifact that
#                         the pull request's own code could have written)
#
# Never fails the step: whatever goes wrong (a fork's read-only token, no network) is a
# ::warning that says how to get the comment, and the exit code is 0.
set -uo pipefail

body_file="${1:?usage: comment.sh BODY_FILE}"
api="${GITHUB_API_URL:-https://api.github.com}"
api="${api%/}"
repo="${GITHUB_REPOSITORY:-}"
key="${TESTCERT_COMMENT_KEY:-testcert}"
marker="<!-- testcert-comment: ${key//-->/} -->"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

warn() {
  # A plain line when the step has used up its 10 warnings (TESTCERT_WARNINGS_LEFT, from the
  # entrypoint): GitHub would drop the annotation anyway.
  if [[ "${TESTCERT_WARNINGS_LEFT:-1}" -gt 0 ]]; then
    echo "::warning title=testcert comment::$*"
  else
    echo "testcert comment: warning: $*"
  fi
  exit 0
}

command -v jq >/dev/null 2>&1 || warn "no comment: jq is not installed"
[[ -n "${TESTCERT_TOKEN:-}" ]] || warn "no comment: no token (give the step \`token\`, with pull-requests: write)"
[[ "$repo" == */* ]] || warn "no comment: GITHUB_REPOSITORY is not set"
[[ -f "$body_file" ]] || warn "no comment: $body_file does not exist"

pr="${TESTCERT_PR:-}"
if [[ -z "$pr" && -n "${GITHUB_EVENT_PATH:-}" && -f "${GITHUB_EVENT_PATH:-}" ]]; then
  pr="$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH" 2>/dev/null || true)"
fi
[[ "$pr" =~ ^[1-9][0-9]{0,9}$ ]] || warn "no comment: not a pull request (number '${pr}')"

# api METHOD PATH [JSON_FILE]: the response body in $tmp/resp, the HTTP status on stdout.
# The token goes to curl on its standard input, not on its command line.
api() {
  local method="$1" path="$2" data="${3:-}"
  local args=(--silent --show-error --location --max-time 60 --output "$tmp/resp"
    --write-out '%{http_code}' --request "$method"
    --header "Accept: application/vnd.github+json"
    --header "X-GitHub-Api-Version: 2022-11-28"
    --config -)
  [[ -n "$data" ]] && args+=(--header "Content-Type: application/json" --data-binary "@$data")
  local code
  # On a connection failure curl still writes 000 (and exits non-zero).
  code="$(printf 'header = "Authorization: Bearer %s"\n' "$TESTCERT_TOKEN" \
    | curl "${args[@]}" "$api$path" 2>"$tmp/curl-err")" || true
  echo "${code:-000}"
}

why() {
  local msg
  msg="$(jq -r '.message // empty' "$tmp/resp" 2>/dev/null || true)"
  echo "${msg:-$(head -c 200 "$tmp/curl-err" 2>/dev/null)}"
}

if [[ -n "${TESTCERT_HEAD_SHA:-}" ]]; then
  status="$(api GET "/repos/$repo/pulls/$pr")"
  [[ "$status" == 200 ]] || warn "no comment: cannot read pull request #$pr (HTTP $status: $(why))"
  head="$(jq -r '.head.sha // empty' "$tmp/resp")"
  [[ "$head" == "$TESTCERT_HEAD_SHA" ]] \
    || warn "no comment: pull request #$pr is at ${head:-nothing}, not at $TESTCERT_HEAD_SHA (the run being reported)"
fi

jq -Rs --arg m "$marker" '{body: (($m + "\n" + .) | .[0:65536])}' <"$body_file" >"$tmp/body.json"

# The comment with the marker, if there is one (at most 3,000 comments looked through).
id=""
for page in $(seq 1 30); do
  status="$(api GET "/repos/$repo/issues/$pr/comments?per_page=100&page=$page")"
  if [[ "$status" != 200 ]]; then
    warn "no comment: cannot list the comments of #$pr (HTTP $status: $(why))"
  fi
  id="$(jq -r --arg m "$marker" '[.[] | select((.body // "") | contains($m))][0].id // empty' "$tmp/resp")"
  [[ -n "$id" ]] && break
  [[ "$(jq 'length' "$tmp/resp")" -lt 100 ]] && break
done

hint="a pull request from a fork gets a read-only token: use the workflow_run pattern in README"
if [[ -n "$id" ]]; then
  status="$(api PATCH "/repos/$repo/issues/comments/$id" "$tmp/body.json")"
  [[ "$status" == 200 ]] || warn "cannot update comment $id on #$pr (HTTP $status: $(why)); $hint"
  echo "testcert: updated the comment on #$pr ($(jq -r '.html_url // empty' "$tmp/resp"))"
else
  status="$(api POST "/repos/$repo/issues/$pr/comments" "$tmp/body.json")"
  [[ "$status" == 201 ]] || warn "cannot comment on #$pr (HTTP $status: $(why)); $hint"
  echo "testcert: commented on #$pr ($(jq -r '.html_url // empty' "$tmp/resp"))"
fi
