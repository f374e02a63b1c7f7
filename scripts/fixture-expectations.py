#!/usr/bin/env python3
"""fixture-expectations.py [rust-workspace|python-monorepo]

An independent recomputation (Python standard library only, no testcert code) of the numbers
behind the expected levels in fixtures/repos/README.md: per project, the changed executable
lines of `main..HEAD` and how many of them each set of coverage reports covers, per file too,
plus the test outcomes and sizes from the JUnit reports. testcert's `check` should agree.

Rules used (TEST_CERTIFIED.md): changed lines = lines added or modified on the new side of
`git diff -U0 main HEAD`; a changed line counts only where the report set lists it as
executable (a line listed by several reports of a set is hit if any report hits it); the
"all" set is every coverage report (tagged or not, merged), "small"/"medium" the tagged ones.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPOS = ROOT / "fixtures" / "repos"

SETUPS = {
    "rust-workspace": {
        "projects": "crates",
        "reports": {
            "coverage/lcov.info": "all",
            "coverage/unit.lcov": "small",
            "coverage/integration.lcov": "medium",
        },
        "junit": ["target/nextest/ci/junit.xml"],
    },
    "python-monorepo": {
        "projects": "packages",
        "reports": {
            "packages/money/reports/coverage.xml": "all",
            "packages/money/reports/coverage-unit.xml": "small",
            "packages/invoices/reports/coverage.xml": "all",
            "packages/invoices/reports/coverage-unit.xml": "small",
            "packages/notify/reports/coverage.xml": "all",
        },
        "junit": [
            "packages/money/reports/junit.xml",
            "packages/invoices/reports/junit.xml",
            "packages/notify/reports/junit.xml",
        ],
    },
}


def lcov(path):
    out = defaultdict(dict)
    cur = None
    for line in Path(path).read_text().splitlines():
        if line.startswith("SF:"):
            cur = line[3:]
        elif line.startswith("DA:") and cur:
            n, hits = line[3:].split(",")[:2]
            out[cur][int(n)] = max(out[cur].get(int(n), 0), int(hits))
    return out


def cobertura(path):
    out = defaultdict(dict)
    root = ET.parse(path).getroot()
    sources = [s.text for s in root.iter("source")]
    for cls in root.iter("class"):
        f = cls.get("filename")
        full = os.path.join(sources[0], f) if sources and not os.path.isabs(f) else f
        for ln in cls.iter("line"):
            n = int(ln.get("number"))
            out[full][n] = max(out[full].get(n, 0), int(ln.get("hits")))
    return out


def to_repo(path, files):
    """Maps an absolute report path to a repository path by the longest matching suffix."""
    best = None
    for f in files:
        if path == f or path.endswith("/" + f):
            if best is None or len(f) > len(best):
                best = f
    return best


def changed_lines(repo):
    diff = subprocess.run(
        ["git", "-C", repo, "diff", "-U0", "--no-renames", "main", "HEAD"],
        check=True, capture_output=True, text=True,
    ).stdout
    out = defaultdict(set)
    cur = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            cur = None if line == "+++ /dev/null" else line[6:]
        elif line.startswith("@@") and cur:
            m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
            start, count = int(m.group(1)), int(m.group(2) or 1)
            out[cur].update(range(start, start + count))
    return out


def junit_cases(path):
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            tags = {c.tag for c in case}
            if "failure" in tags or "error" in tags:
                outcome = "failed"
            elif "skipped" in tags:
                outcome = "skipped"
            elif "flakyFailure" in tags or "flakyError" in tags:
                outcome = "flaky"
            else:
                outcome = "passed"
            yield suite.get("name"), case.get("classname"), case.get("name"), outcome


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "rust-workspace"
    setup = SETUPS[name]
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        subprocess.run([ROOT / "scripts" / "example-repo.sh", repo, name], check=True,
                       stdout=subprocess.DEVNULL)
        files = subprocess.run(["git", "-C", repo, "ls-files"], check=True,
                               capture_output=True, text=True).stdout.split()
        changed = changed_lines(repo)
        sets = defaultdict(lambda: defaultdict(dict))  # set -> file -> line -> hits
        for rel, tag in setup["reports"].items():
            data = lcov(os.path.join(repo, rel)) if rel.endswith((".info", ".lcov")) \
                else cobertura(os.path.join(repo, rel))
            for f, lines in data.items():
                rf = to_repo(f, files)
                assert rf, f"{rel}: {f} is no file of the repository"
                for n, h in lines.items():
                    for s in {tag, "all"}:
                        sets[s][rf][n] = max(sets[s][rf].get(n, 0), h)
        projects = sorted({"/".join(f.split("/")[:2]) for f in files
                           if f.startswith(setup["projects"] + "/")})
        print(f"# {name}: main..HEAD")
        for p in projects:
            print(f"\n## {p}")
            for s in ("all", "small", "medium"):
                if s not in sets:
                    continue
                tot = cov = 0
                for f, lines in changed.items():
                    if not f.startswith(p + "/"):
                        continue
                    ex = [n for n in lines if n in sets[s].get(f, {})]
                    tot += len(ex)
                    cov += sum(1 for n in ex if sets[s][f][n] > 0)
                ratio = f"{100 * cov / tot:.1f}%" if tot else "n/a (no changed executable lines)"
                # total (whole files) too
                ttot = sum(len(v) for f, v in sets[s].items() if f.startswith(p + "/"))
                tcov = sum(1 for f, v in sets[s].items() if f.startswith(p + "/")
                           for h in v.values() if h > 0)
                total = f"{100 * tcov / ttot:.1f}%" if ttot else "n/a"
                print(f"- incremental {s:6}: {cov}/{tot} = {ratio}; total {tcov}/{ttot} = {total}")
            for f in sorted(changed):
                if not f.startswith(p + "/"):
                    continue
                ex = [n for n in changed[f] if n in sets["all"].get(f, {})]
                if not ex and f not in sets["all"]:
                    print(f"  - {f}: {len(changed[f])} changed lines, not in any coverage report")
                    continue
                parts = []
                for s in ("all", "small", "medium"):
                    if s in sets:
                        exs = [n for n in changed[f] if n in sets[s].get(f, {})]
                        parts.append(f"{s} {sum(1 for n in exs if sets[s][f][n] > 0)}/{len(exs)}")
                print(f"  - {f}: {len(changed[f])} changed lines, {len(ex)} executable; covered: "
                      + ", ".join(parts))
        print("\n## tests (JUnit)")
        for rel in setup["junit"]:
            counts = defaultdict(int)
            for suite, cls, case, outcome in junit_cases(os.path.join(repo, rel)):
                counts[outcome] += 1
                if outcome != "passed":
                    print(f"- {rel}: {cls} {case}: {outcome}")
            print(f"- {rel}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
