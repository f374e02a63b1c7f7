#!/usr/bin/env bash
# The Action: runs `testcert check` once (JSON result in $RUNNER_TEMP), renders the job
# summary and the annotations from that JSON, writes the step outputs, and exits with the
# check's exit code (0 passed, 1 below the required level, 2 error).
#
# Inputs come as INPUT_* environment variables (action.yml); TESTCERT_BIN is the binary.
set -euo pipefail

bin="${TESTCERT_BIN:?TESTCERT_BIN is not set}"
tmp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"
json="$tmp/testcert.json"
rm -f "$json"

cd "${INPUT_WORKING_DIRECTORY:-.}"

# Reads a value from a JSON file with jq (on every GitHub-hosted runner), else python3.
json_get() {
  local filter="$1" file="$2"
  if command -v jq >/dev/null 2>&1; then
    jq -r "$filter // empty" "$file"
  else
    python3 - "$filter" "$file" <<'PY'
import json, sys
f, path = sys.argv[1], sys.argv[2]
v = json.load(open(path))
for k in f.strip(".").split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)
PY
  fi
}

args=(check . --format json --output "$json")
[[ -n "${INPUT_CONFIG:-}" ]] && args+=(--config "$INPUT_CONFIG")
[[ -n "${INPUT_MIN_LEVEL:-}" ]] && args+=(--min-level "$INPUT_MIN_LEVEL")
[[ -n "${INPUT_BADGES:-}" ]] && args+=(--badges "$INPUT_BADGES")

# The change under review: what the event names (`check --event`: the pull request's merge
# commit against its base, a push's before..after, a merge group's base..head), fetched into
# a shallow checkout when missing. Getting history never fails the step: testcert falls back
# to every line with a warning that says why and how to get the exact change.
[[ -n "${INPUT_BASE:-}" ]] && args+=(--base "$INPUT_BASE")
if [[ -n "${GITHUB_EVENT_PATH:-}" && -f "${GITHUB_EVENT_PATH:-}" ]]; then
  args+=(--event "$GITHUB_EVENT_PATH")
fi

extra=()
if [[ -n "${INPUT_ARGS:-}" ]]; then
  read -r -a extra <<<"$INPUT_ARGS"
fi

errors="$tmp/testcert.stderr"
set +e
"$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} 2>"$errors"
code=$?
set -e
cat "$errors" >&2

if [[ ! -f "$json" ]]; then
  # A usage or configuration error: no result to render, but the log, the summary and the
  # outputs still say what went wrong.
  message="$(head -c 4000 "$errors" 2>/dev/null || true)"
  escaped="${message//%/%25}"
  escaped="${escaped//$'\r'/%0D}"
  echo "::error title=testcert::testcert check failed (exit code $code) without a result: ${escaped//$'\n'/%0A}"
  if [[ "${INPUT_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    {
      printf '## Test Certified: error\n\n`testcert check` failed (exit code %s) without a result:\n\n```\n' "$code"
      # No backtick can close the fence early.
      printf '%s\n' "$message" | tr '`' "'"
      printf '```\n'
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'passed=false\n' >>"$GITHUB_OUTPUT"
  fi
  exit "$code"
fi

# The log: the text report, then the annotations (workflow commands on stdout; no token).
"$bin" render --from "$json" --format text
"$bin" render --from "$json" --format github --dir .

if [[ "${INPUT_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  md_args=(render --from "$json" --format markdown)
  [[ -n "${INPUT_BADGES:-}" ]] && md_args+=(--badges "$INPUT_BADGES")
  "$bin" "${md_args[@]}" >>"$GITHUB_STEP_SUMMARY"
fi

if command -v jq >/dev/null 2>&1; then
  level="$(jq -r '[.projects[].level] | min // 0' "$json")"
  passed="$(jq -r '.passed' "$json")"
else
  level="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(min([p["level"] for p in r["projects"]] or [0]))' "$json")"
  passed="$(python3 -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["passed"]).lower())' "$json")"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "level=$level"
    echo "passed=$passed"
    echo "json=$json"
  } >>"$GITHUB_OUTPUT"
fi
exit "$code"
