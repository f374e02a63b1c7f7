#!/usr/bin/env python3
"""Seeds the fuzz targets' corpora (fuzz/corpus/TARGET/) from fixtures/.

Report targets get every fixture report that `testcert inspect` reads as their format (and
`sniffed` gets them all); `config` every testcert.toml and Cargo.toml; `check_result` the
check results under fixtures/aggregate/ plus `check --format json` of the example
repositories; `unified_diff` the history of the example repositories as `git log -p`.
Large files are left out (libFuzzer mutates small inputs best). Run from the repository root
after `cargo build`:

    python3 scripts/fuzz-seed.py [--max-bytes 200000]
"""

import argparse
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "debug" / "testcert"

# `inspect` format names -> fuzz target names.
TARGETS = {
    "lcov": "lcov",
    "cobertura": "cobertura",
    "jacoco": "jacoco",
    "clover": "clover",
    "opencover": "opencover",
    "go-coverprofile": "gocover",
    "llvm-cov-json": "llvm_cov",
    "istanbul-json": "istanbul",
    "istanbul-summary": "istanbul_summary",
    "coverage-py-json": "coverage_py",
    "junit": "junit",
    "xunit2": "xunit",
    "nunit3": "nunit",
    "trx": "trx",
    "go-test-json": "gotest",
    "gcovr-json": "gcovr_json",
    "gcovr-summary": "gcovr_summary",
    "jacoco-csv": "jacoco_csv",
    "tarpaulin-json": "tarpaulin",
    "mocha-json": "mocha_json",
    "rspec-json": "rspec_json",
    "dart-json": "dart_json",
}


def add(target: str, data: bytes, max_bytes: int, counts: dict) -> None:
    if not data or len(data) > max_bytes:
        return
    d = ROOT / "fuzz" / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    # Named by content, as libFuzzer names its own finds: seeding twice adds nothing.
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-bytes", type=int, default=200_000)
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit(f"{BIN} is missing: run `cargo build` first")
    counts: dict = {}
    fixtures = ROOT / "fixtures"

    reports = [
        p
        for p in sorted((fixtures / "golden").rglob("*"))
        + sorted((fixtures / "corpus").rglob("*"))
        + sorted((fixtures / "real").glob("*/reports/**/*"))
        if p.is_file()
        and not p.name.endswith(".expected.json")
        and p.suffix != ".md"
        and p.name != "expected.json"
    ]
    for i in range(0, len(reports), 200):
        batch = reports[i : i + 200]
        out = subprocess.run(
            [str(BIN), "inspect", "--format", "json", *map(str, batch)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        for item in json.loads(out.stdout or "[]"):
            target = TARGETS.get(item.get("format") or "")
            if target:
                data = (ROOT / item["path"]).read_bytes()
                add(target, data, args.max_bytes, counts)
                add("sniffed", data, args.max_bytes, counts)

    for p in sorted(fixtures.rglob("*.toml")):
        add("config", p.read_bytes(), args.max_bytes, counts)

    for p in sorted((fixtures / "aggregate").rglob("*.json")):
        add("check_result", p.read_bytes(), args.max_bytes, counts)

    with tempfile.TemporaryDirectory() as tmp:
        for bundle in sorted((fixtures / "repos").glob("*.bundle")):
            dest = pathlib.Path(tmp) / bundle.stem
            subprocess.run(["git", "clone", "-q", str(bundle), str(dest)], check=True)
            log = subprocess.run(
                ["git", "-C", str(dest), "log", "-p", "--format=commit %H"],
                capture_output=True,
                check=True,
            ).stdout
            for chunk in log.split(b"\ncommit ")[:200]:
                add("unified_diff", chunk, args.max_bytes, counts)
            # The example repositories' reports sit in fixtures/repos/NAME: check them.
            checked = subprocess.run(
                [str(BIN), "check", "--format", "json", str(fixtures / "repos" / bundle.stem)],
                capture_output=True,
                cwd=ROOT,
            ).stdout
            add("check_result", checked, args.max_bytes, counts)
            shutil.rmtree(dest, ignore_errors=True)

    for target, n in sorted(counts.items()):
        print(f"{target}: {n} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
