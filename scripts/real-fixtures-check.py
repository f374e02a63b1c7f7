#!/usr/bin/env python3
"""real-fixtures-check.py [--testcert BIN] [PRODUCER...]

Compares what `testcert inspect --format json` reads from each report in fixtures/real/ with the
totals the producer printed (fixtures/real/PRODUCER/expected.json), and prints every figure that
differs. A report key that is a folder ("reports/per-class/") or a glob ("reports/junit/TEST-*.xml")
is read as all its .xml/.json/.info/.lcov/.out files together, and their figures are summed. A
figure that expected.json gives as null (the producer does not print it) is not compared.

Informational: it exits 0 whatever differs (2 on a usage error), because some differences are
counting rules still to be decided; the conformance test is where they become assertions.
"""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "fixtures", "real")
REPORT_EXT = (".xml", ".json", ".info", ".lcov", ".out", ".txt")
TEST_FIELDS = ("tests", "failed", "errors", "skipped", "flaky")
COVERAGE_FIELDS = ("lines", "branches", "functions")


def files_of(folder, key):
    path = os.path.join(folder, key)
    if key.endswith("/"):
        found = sorted(os.path.join(path, f) for f in os.listdir(path))
    elif any(c in key for c in "*?["):
        found = sorted(glob.glob(path))
    else:
        return [path]
    # A folder of reports can hold the producer's plain-text summaries beside them (Surefire's
    # calc.*.txt); only TAP is a .txt report, and no folder key holds TAP.
    return [f for f in found if os.path.isfile(f) and f.endswith(REPORT_EXT) and not f.endswith(".txt")]


def inspect(testcert, files, root):
    out = subprocess.run([testcert, "inspect", "--format", "json", "--root", root, *files],
                         capture_output=True, text=True)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return [{"error": (out.stderr or out.stdout).strip() or f"exit {out.returncode}"}]


def summed(entries, kind):
    errors = [e["error"] for e in entries if e.get("error")]
    if errors:
        return None, errors[0]
    if kind == "tests":
        return {f: sum(e.get(f) or 0 for e in entries) for f in TEST_FIELDS}, None
    total = {}
    for f in COVERAGE_FIELDS:
        vals = [e.get(f) for e in entries]
        total[f] = None if any(v is None for v in vals) else {
            "total": sum(v["total"] for v in vals), "covered": sum(v["covered"] for v in vals)}
    return total, None


def main(argv):
    testcert = os.path.join(ROOT, "target", "debug", "testcert")
    args = list(argv)
    if args[:1] == ["--testcert"]:
        if len(args) < 2:
            print("real-fixtures-check: --testcert needs a path", file=sys.stderr)
            return 2
        testcert, args = args[1], args[2:]
    if not os.access(testcert, os.X_OK):
        print(f"real-fixtures-check: no testcert binary at {testcert} (cargo build first)", file=sys.stderr)
        return 2
    producers = args or sorted(d for d in os.listdir(REAL) if os.path.isfile(os.path.join(REAL, d, "expected.json")))
    compared = matched = 0
    for producer in producers:
        folder = os.path.join(REAL, producer)
        try:
            expected = json.load(open(os.path.join(folder, "expected.json")))
        except OSError as e:
            print(f"real-fixtures-check: {producer}: {e}", file=sys.stderr)
            return 2
        for key, want in expected["reports"].items():
            files = files_of(folder, key)
            got, err = summed(inspect(testcert, files, os.path.join(folder, "project")), want["kind"])
            where = f"{producer}/{key}"
            if err:
                print(f"{where}: testcert error: {err}")
                compared += 1
                continue
            fields = TEST_FIELDS if want["kind"] == "tests" else COVERAGE_FIELDS
            for f in fields:
                w = want.get(f)
                if w is None:
                    continue
                compared += 1
                g = got.get(f)
                if g == w:
                    matched += 1
                else:
                    print(f"{where}: {f}: producer {json.dumps(w)}, testcert {json.dumps(g)}")
    print(f"{matched} of {compared} figures equal the producer's")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
