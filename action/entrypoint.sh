#!/usr/bin/env bash
# The Action: runs `testcert check` once (JSON result in $RUNNER_TEMP), renders the job
# summary and the annotations from that JSON, writes the step outputs, and exits with the
# check's exit code (0 passed, 1 below the required level, 2 error). With `comment: true` it
# also posts or updates the sticky pull-request comment (comment.sh).
#
# Inputs come as INPUT_* environment variables (action.yml); TESTCERT_BIN is the binary.
set -euo pipefail

bin="${TESTCERT_BIN:?TESTCERT_BIN is not set}"
tmp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"
json="$tmp/testcert.json"
rm -f "$json"

cd "${INPUT_WORKING_DIRECTORY:-.}"

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
elif [[ -n "${INPUT_BASE:-}" ]]; then
  # No event file (a runner that does not write one): an empty event, so that the base input
  # gets --event's rules (fetched when missing, never an error).
  echo '{}' >"$tmp/testcert-event.json"
  args+=(--event "$tmp/testcert-event.json")
fi

# The level change against an earlier result (the base branch's last one): a missing file
# is the first run, not an error.
if [[ -n "${INPUT_COMPARE_TO:-}" ]]; then
  if [[ -f "$INPUT_COMPARE_TO" ]]; then
    args+=(--compare-to "$INPUT_COMPARE_TO")
  else
    # A plain line: the step's 10 notices are for the result.
    echo "testcert: no earlier result at $INPUT_COMPARE_TO: no level comparison this time"
  fi
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
annotations="$tmp/testcert-annotations.txt"
"$bin" render --from "$json" --format github --dir . --output "$annotations"
cat "$annotations"
# What is left of the step's 10 warnings, for the comment's own (GitHub drops the 11th).
warnings_left=$((10 - $(grep -c '^::warning' "$annotations" || true)))

# The summary: a file of its own (the `summary` output, for a comment or an artifact), and
# the job summary.
summary="$tmp/testcert-summary.md"
"$bin" render --from "$json" --format markdown --dir . --output "$summary"
if [[ "${INPUT_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi

# The outputs. Percentages have one decimal; empty when there is nothing to measure.
if command -v jq >/dev/null 2>&1; then
  outputs="$(jq -r '
    def pct(c; t): if t > 0 then ((c * 1000 / t + 0.5) | floor) as $x
      | "\(($x / 10) | floor).\($x % 10)" else "" end;
    [.projects[].evidence.coverage | select(. != null) | .lines] as $cov
    | [.projects[].evidence.incremental] as $inc
    | "level=\([.projects[].level] | min // 0)",
      "passed=\(.passed)",
      "levels=\([.projects[] | {(.name): .level}] | add // {} | tojson)",
      "coverage=\(pct($cov | map(.covered) | add // 0; $cov | map(.total) | add // 0))",
      "incremental=\(pct($inc | map(.covered) | add // 0; $inc | map(.changed) | add // 0))",
      "lowered=\([.comparison.changes[]? | select(.from != null and .to != null and .to < .from) | .project] | tojson)"
  ' "$json")"
else
  outputs="$(python3 - "$json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
ps = r["projects"]
def pct(c, t):
    if t <= 0:
        return ""
    x = math.floor(c * 1000 / t + 0.5)
    return f"{x // 10}.{x % 10}"
cov = [p["evidence"]["coverage"]["lines"] for p in ps if p["evidence"].get("coverage")]
inc = [p["evidence"]["incremental"] for p in ps]
cmp = (r.get("comparison") or {}).get("changes", [])
print(f"level={min([p['level'] for p in ps] or [0])}")
print(f"passed={str(r['passed']).lower()}")
print("levels=" + json.dumps({p["name"]: p["level"] for p in ps}, separators=(",", ":"), ensure_ascii=False))
print("coverage=" + pct(sum(c["covered"] for c in cov), sum(c["total"] for c in cov)))
print("incremental=" + pct(sum(i["covered"] for i in inc), sum(i["changed"] for i in inc)))
print("lowered=" + json.dumps([c["project"] for c in cmp
    if c["from"] is not None and c["to"] is not None and c["to"] < c["from"]], separators=(",", ":"), ensure_ascii=False))
PY
)"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    printf '%s\n' "$outputs"
    echo "json=$json"
    echo "summary=$summary"
  } >>"$GITHUB_OUTPUT"
fi

# The sticky pull-request comment: one per pull request, updated on every push.
if [[ "${INPUT_COMMENT:-false}" == "true" ]]; then
  TESTCERT_WARNINGS_LEFT="$warnings_left" "$(dirname "$0")/comment.sh" "$summary" \
    || echo "::warning title=testcert comment::the comment script failed; the check's result stands"
fi
exit "$code"
