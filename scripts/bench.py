#!/usr/bin/env python3
"""Throughput and peak memory of `testcert inspect` on large generated reports.

Generates LCOV, Cobertura, JaCoCo and JUnit files of about 50 MB and 500 MB with
../shared/tools/gen_reports.py (deterministic; cached under bench-data/), runs the release
binary on each, checks every total against the generator's truth file, and prints a Markdown
table: size, wall time, MB/s, peak RSS, and the reference tool measured in the same run on the
same file, with the ratio (testcert's time / the reference's; below 1 is faster): for XML
`xmllint --stream --noout` (Debian's libxml2-utils), for LCOV `lcov --summary` (Debian's lcov),
each when installed.

    python3 scripts/bench.py            # both sizes
    python3 scripts/bench.py --small    # ~50 MB only
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "tools", "gen_reports.py")
DATA = os.path.join(ROOT, "bench-data")
BIN = os.path.join(ROOT, "target", "release", "testcert")

# Generator arguments per (format, size): files x lines-per-file, or test cases.
# Sizes were chosen so that each file lands near 50 MB or 500 MB.
CASES = {
    "lcov": {"50": ["--files", "4400", "--lines-per-file", "1000"],
             "500": ["--files", "44000", "--lines-per-file", "1000"]},
    "cobertura": {"50": ["--files", "1400", "--lines-per-file", "1000"],
                  "500": ["--files", "14000", "--lines-per-file", "1000"]},
    "jacoco": {"50": ["--files", "2000", "--lines-per-file", "1000"],
               "500": ["--files", "20000", "--lines-per-file", "1000"]},
    "junit": {"50": ["--tests", "350000"], "500": ["--tests", "3500000"]},
}
EXT = {"lcov": "info", "cobertura": "xml", "jacoco": "xml", "junit": "xml"}


def generate(fmt, size):
    os.makedirs(DATA, exist_ok=True)
    out = os.path.join(DATA, f"{fmt}-{size}.{EXT[fmt]}")
    truth = out + ".truth.json"
    if not (os.path.exists(out) and os.path.exists(truth)):
        subprocess.run([sys.executable, GEN, "--format", fmt, *CASES[fmt][size], "--seed", "7",
                        "--out", out, "--write-truth", truth], check=True,
                       stderr=subprocess.DEVNULL)
    return out, json.load(open(truth))


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    # ru_maxrss of children is the max over all children so far: run the biggest last, or
    # use /usr/bin/time when present for an exact per-process figure.
    return proc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, before


def run(cmd):
    if shutil.which("/usr/bin/time"):
        full = ["/usr/bin/time", "-f", "%e %M", *cmd]
        t0 = time.perf_counter()
        proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        last = proc.stderr.decode().strip().splitlines()[-1].split()
        return proc, wall, int(last[1]) / 1024
    proc, wall, rss, _ = timed(cmd)
    return proc, wall, rss


def check(fmt, got, truth):
    if fmt == "junit":
        want = {"tests": truth["tests"], "failed": truth["failures"], "errors": truth["errors"],
                "skipped": truth["skipped"]}
        have = {k: got[k] for k in want}
    else:
        want = {"lines": (truth["lines_valid"], truth["lines_covered"]),
                "branches": (truth["branches_valid"], truth["branches_covered"])}
        have = {"lines": (got["lines"]["total"], got["lines"]["covered"]),
                "branches": (got["branches"]["total"], got["branches"]["covered"])}
    return "ok" if want == have else f"MISMATCH want {want} got {have}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="only the ~50 MB files")
    ap.add_argument("--formats", default="lcov,cobertura,jacoco,junit")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    sizes = ["50"] if args.small else ["50", "500"]
    xmllint = shutil.which("xmllint")
    lcov = shutil.which("lcov")
    print("| format | file MB | testcert s | MB/s | peak RSS MiB | totals | reference | reference s | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for size in sizes:
        for fmt in args.formats.split(","):
            path, truth = generate(fmt, size)
            mb = os.path.getsize(path) / 1e6
            # Warm the page cache so both tools read from memory.
            subprocess.run(["cat", path], stdout=subprocess.DEVNULL)
            proc, wall, rss = run([BIN, "inspect", "--format", "json", "--root", DATA, path])
            if proc.returncode != 0:
                print(proc.stderr.decode()[-2000:], file=sys.stderr)
                failed = True
                continue
            got = json.loads(proc.stdout)[0]
            verdict = check(fmt, got, truth)
            failed |= verdict != "ok"
            ref, ref_s, ratio = "-", "-", "-"
            if xmllint and EXT[fmt] == "xml":
                _, rw, _ = run([xmllint, "--stream", "--noout", path])
                ref, ref_s, ratio = "xmllint --stream", f"{rw:.2f}", f"{wall / rw:.2f}"
            elif lcov and fmt == "lcov":
                _, rw, _ = run([lcov, "--summary", path])
                ref, ref_s, ratio = "lcov --summary", f"{rw:.2f}", f"{wall / rw:.2f}"
            print(f"| {fmt} | {mb:.0f} | {wall:.2f} | {mb / wall:.0f} | {rss:.0f} | {verdict} | {ref} | {ref_s} | {ratio} |",
                  flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
