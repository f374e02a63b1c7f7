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

# The base: the input, else the pull request's base commit from the event, else its branch.
base="${INPUT_BASE:-}"
if [[ -z "$base" && -n "${GITHUB_EVENT_PATH:-}" && -f "${GITHUB_EVENT_PATH:-}" ]]; then
  base="$(json_get '.pull_request.base.sha' "$GITHUB_EVENT_PATH" 2>/dev/null || true)"
fi
if [[ -z "$base" && -n "${GITHUB_BASE_REF:-}" ]]; then
  base="origin/$GITHUB_BASE_REF"
fi
if [[ -n "$base" ]]; then
  # A shallow checkout may lack the base: fetch it (no token needed for public repositories).
  if git rev-parse --git-dir >/dev/null 2>&1 && ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    git fetch --no-tags --quiet --depth=1 origin "${base#origin/}" 2>/dev/null \
      || echo "::warning title=testcert::cannot fetch the base $base; use actions/checkout with fetch-depth: 0"
  fi
  args+=(--base "$base")
fi

extra=()
if [[ -n "${INPUT_ARGS:-}" ]]; then
  read -r -a extra <<<"$INPUT_ARGS"
fi

set +e
"$bin" "${args[@]}" ${extra[@]+"${extra[@]}"}
code=$?
set -e

if [[ ! -f "$json" ]]; then
  echo "::error title=testcert::testcert check failed (exit code $code) without a result"
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
