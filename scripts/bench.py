#!/usr/bin/env python3
"""Throughput and peak memory of `testcert inspect` on large generated reports.

Generates LCOV, Cobertura, JaCoCo and JUnit files of about 50 MB and 500 MB with
../shared/tools/gen_reports.py, and Clover and OpenCover files of the same project model with
scripts/gen_coverage.py (deterministic; cached under bench-data/), runs the release binary on
each, checks every total against the generator's truth file, and prints a Markdown table:
size, wall time, MB/s, peak RSS (and its share of the input), and the reference tool measured
in the same run on the same file: for XML `xmllint --stream --noout` (Debian's
libxml2-utils), for LCOV `lcov --summary` (Debian's lcov), each when installed. `ratio` is
testcert's time over the reference's (below 1 is faster); `x ref` the other way round, the
reference's time over testcert's (the issue's "1.5x xmllint", "60x lcov").

Each tool runs --runs times (default 3), alternating, and the table shows each one's fastest
run (the machine is shared: the minimum is the least disturbed figure) and the largest peak
RSS (from /usr/bin/time when present).

    python3 scripts/bench.py            # both sizes
    python3 scripts/bench.py --small    # ~50 MB only
    python3 scripts/bench.py --small --formats lcov,clover --runs 5
    python3 scripts/bench.py --small --binary target/x86_64-unknown-linux-musl/release/testcert
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
# The shared tools sit next to the main checkout (../shared) or, from a worktree under wt/,
# one level further up; TESTCERT_GEN_REPORTS names the generator anywhere else.
GEN = os.environ.get("TESTCERT_GEN_REPORTS") or next(
    (p for p in (os.path.join(ROOT, up, "shared", "tools", "gen_reports.py") for up in ("..", os.path.join("..", "..")))
     if os.path.exists(p)),
    os.path.join(ROOT, "..", "shared", "tools", "gen_reports.py"))
# Clover and OpenCover, which gen_reports.py does not write, from the same model.
GEN_COVERAGE = os.path.join(ROOT, "scripts", "gen_coverage.py")
DATA = os.path.join(ROOT, "bench-data")


def empty_root():
    """An empty folder to map report paths against: the figure is then the reading alone, not
    a walk of bench-data/ (which holds the check benchmark's monorepos, 140,000 files)."""
    root = os.path.join(DATA, "empty-root")
    os.makedirs(root, exist_ok=True)
    return root


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
    "clover": {"50": ["--files", "1400", "--lines-per-file", "1000"],
               "500": ["--files", "14000", "--lines-per-file", "1000"]},
    "opencover": {"50": ["--files", "400", "--lines-per-file", "1000"],
                  "500": ["--files", "4000", "--lines-per-file", "1000"]},
}
EXT = {"lcov": "info", "cobertura": "xml", "jacoco": "xml", "junit": "xml", "clover": "xml",
       "opencover": "xml"}
GENERATOR = {"clover": GEN_COVERAGE, "opencover": GEN_COVERAGE}


def generate(fmt, size):
    os.makedirs(DATA, exist_ok=True)
    out = os.path.join(DATA, f"{fmt}-{size}.{EXT[fmt]}")
    truth = out + ".truth.json"
    if not (os.path.exists(out) and os.path.exists(truth)):
        subprocess.run([sys.executable, GENERATOR.get(fmt, GEN), "--format", fmt, *CASES[fmt][size], "--seed", "7",
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
        # Functions too where the format lists every one (Cobertura's generated methods are
        # empty; JaCoCo counts its methods its own way).
        if fmt in ("lcov", "clover", "opencover"):
            want["functions"] = (truth["functions_valid"], truth["functions_covered"])
            f = got.get("functions") or {}
            have["functions"] = (f.get("total"), f.get("covered"))
    return "ok" if want == have else f"MISMATCH want {want} got {have}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="only the ~50 MB files")
    ap.add_argument("--formats", default="lcov,cobertura,jacoco,clover,opencover,junit")
    ap.add_argument("--runs", type=int, default=3, help="runs of each tool; the fastest is shown")
    ap.add_argument("--binary", help="a testcert binary, such as a release download or a musl build "
                    "(default: build and use target/release/testcert)")
    args = ap.parse_args()
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
        binary = BIN
    sizes = ["50"] if args.small else ["50", "500"]
    xmllint = shutil.which("xmllint")
    lcov = shutil.which("lcov")
    print("| format | file MB | testcert s | MB/s | peak RSS MiB | RSS / input | totals | reference | reference s | ratio | x ref |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for size in sizes:
        for fmt in args.formats.split(","):
            path, truth = generate(fmt, size)
            mb = os.path.getsize(path) / 1e6
            # Warm the page cache so both tools read from memory.
            subprocess.run(["cat", path], stdout=subprocess.DEVNULL)
            ref_cmd, ref = None, "-"
            if xmllint and EXT[fmt] == "xml":
                ref_cmd, ref = [xmllint, "--stream", "--noout", path], "xmllint --stream"
            elif lcov and fmt == "lcov":
                ref_cmd, ref = [lcov, "--summary", path], "lcov --summary"
            # Alternate the two tools, so that a change in the machine's load hits both.
            walls, ref_walls, rss, proc = [], [], 0.0, None
            for _ in range(max(1, args.runs)):
                proc, wall, r = run([binary, "inspect", "--format", "json", "--root", empty_root(), path])
                if proc.returncode != 0:
                    break
                walls.append(wall)
                rss = max(rss, r)
                if ref_cmd:
                    _, rw, _ = run(ref_cmd)
                    ref_walls.append(rw)
            if proc.returncode != 0:
                print(proc.stderr.decode()[-2000:], file=sys.stderr)
                failed = True
                continue
            wall = min(walls)
            got = json.loads(proc.stdout)[0]
            verdict = check(fmt, got, truth)
            failed |= verdict != "ok"
            ref_s, ratio, times = "-", "-", "-"
            if ref_walls:
                rw = min(ref_walls)
                ref_s, ratio, times = f"{rw:.2f}", f"{wall / rw:.2f}", f"{rw / wall:.1f}"
            share = rss * 1024 * 1024 / os.path.getsize(path)
            print(f"| {fmt} | {mb:.0f} | {wall:.3f} | {mb / wall:.0f} | {rss:.0f} | {share:.2f} | {verdict} | {ref} | {ref_s} | {ratio} | {times} |",
                  flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
