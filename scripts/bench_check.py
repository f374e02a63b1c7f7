#!/usr/bin/env python3
"""`testcert check` on a 100-project monorepo, against `testcert inspect` on the same reports.

Builds (once, cached under bench-data/monorepo-<projects>x<files>-<tests>/, the default size
under its older name bench-data/monorepo-100x700/) a repository with projects declared by a
`[[project]] path = "projects/*"` glob, each with an LCOV tracefile and a JUnit report written
by shared/tools/gen_reports.py. Then it times the release binary's `check --format json` on
the repository and `inspect --format json` on the same report files (reading them is the
floor of what `check` costs), several runs each, and prints a Markdown table: minimum and
median wall time, the check/inspect ratio of the minimums, and peak RSS against the reports'
total size. The two commands' runs alternate (check, inspect, check, …), so that each pair
sees the same machine: the median of the pairs' ratios is the figure to quote (the machine
is shared, and a minimum of one command can come from a quieter moment than the other's).

    python3 scripts/bench_check.py [--projects 100] [--files-per-project 700]
                                   [--tests-per-project 14000] [--runs 3] [--binary PATH]

The issue's smaller monorepo (~155 MB): --files-per-project 100 --tests-per-project 2000.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The main checkout sits beside shared/, a worktree one level further down.
GEN_CANDIDATES = [
    os.path.join(ROOT, "..", "shared", "tools", "gen_reports.py"),
    os.path.join(ROOT, "..", "..", "shared", "tools", "gen_reports.py"),
]


def generator():
    for g in GEN_CANDIDATES:
        if os.path.exists(g):
            return g
    sys.exit("gen_reports.py not found at " + " or ".join(GEN_CANDIDATES))


def build(repo, projects, files, tests):
    stamp = os.path.join(repo, ".generated")
    if os.path.exists(stamp):
        return
    gen = generator()
    os.makedirs(repo, exist_ok=True)
    with open(os.path.join(repo, "testcert.toml"), "w") as f:
        f.write('[[project]]\npath = "projects/*"\n')
    for i in range(projects):
        p = os.path.join(repo, "projects", f"p{i:03}")
        os.makedirs(os.path.join(p, "coverage"), exist_ok=True)
        os.makedirs(os.path.join(p, "test-results"), exist_ok=True)
        src = f"projects/p{i:03}/src"
        subprocess.run([sys.executable, gen, "--format", "lcov", "--files", str(files),
                        "--lines-per-file", "1000", "--seed", str(i), "--src-root", src,
                        "--path-prefix", "/home/runner/work/mono/mono/",
                        "--out", os.path.join(p, "coverage", "lcov.info")],
                       check=True, stderr=subprocess.DEVNULL)
        subprocess.run([sys.executable, gen, "--format", "junit", "--tests", str(tests),
                        "--seed", str(i), "--out", os.path.join(p, "test-results", "junit.xml")],
                       check=True, stderr=subprocess.DEVNULL)
        print(f"generated project {i + 1}/{projects}", end="\r", file=sys.stderr)
    open(stamp, "w").close()


class Timed:
    """One command's runs: wall times, peak RSS in MiB, and the last run's stdout and exit."""

    def __init__(self, cmd):
        self.cmd, self.walls, self.rss, self.out, self.code = cmd, [], [], b"", 0

    def run(self, t):
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%M"] + self.cmd,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.walls.append(time.perf_counter() - t0)
        with open(t.name) as f:
            self.rss.append(int(f.read().strip().splitlines()[-1]) / 1024)
        self.out, self.code = proc.stdout, proc.returncode


def alternated(commands, runs):
    """Runs the commands in turn, `runs` rounds."""
    with tempfile.NamedTemporaryFile(suffix=".time") as t:
        for _ in range(runs):
            for c in commands:
                c.run(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--files-per-project", type=int, default=700)
    ap.add_argument("--tests-per-project", type=int, default=14000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", help="a testcert binary (default: build the release one)")
    args = ap.parse_args()
    name = f"monorepo-{args.projects}x{args.files_per_project}"
    if args.tests_per_project != 14000:
        name += f"-{args.tests_per_project}"
    repo = os.path.join(ROOT, "bench-data", name)
    build(repo, args.projects, args.files_per_project, args.tests_per_project)
    reports = sorted(os.path.join(d, f) for d, _, fs in os.walk(repo, followlinks=True)
                     for f in fs if f.endswith((".info", ".xml")))
    size = sum(os.path.getsize(r) for r in reports)
    binary = args.binary
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "testcert")
    # Warm the page cache, so that both commands read from memory.
    subprocess.run(["cat"] + reports, stdout=subprocess.DEVNULL, check=True)

    check = Timed([binary, "check", repo, "--format", "json"])
    inspect = Timed([binary, "inspect", "--root", repo, "--format", "json"] + reports)
    alternated([check, inspect], args.runs)
    result = json.loads(check.out)
    read = json.loads(inspect.out)
    if result["reports_found"] != len(reports):
        sys.exit(f"check found {result['reports_found']} reports, inspect read {len(reports)}")

    mb = size / 1e6
    print(f"{len(result['projects'])} projects, {len(reports)} reports, {mb:.0f} MB; "
          f"{args.runs} runs each; check exit {check.code}, inspect exit {inspect.code}; "
          f"inspect read {len(read) if isinstance(read, list) else '?'} reports\n")
    print("| command | wall min | wall median | MB/s (min) | peak RSS | RSS / reports |")
    print("|---|---|---|---|---|---|")
    for label, c in (("check", check), ("inspect", inspect)):
        lo = min(c.walls)
        peak = max(c.rss)
        print(f"| {label} | {lo:.2f} s | {statistics.median(c.walls):.2f} s | {mb / lo:.0f} | "
              f"{peak:.0f} MiB | {peak * 1024 * 1024 / size:.2f} |")
    pairs = sorted(a / b for a, b in zip(check.walls, inspect.walls))
    print(f"\ncheck / inspect: **{statistics.median(pairs):.2f}×** by the median of "
          f"{len(pairs)} pairs (from {pairs[0]:.2f}× to {pairs[-1]:.2f}×); "
          f"{min(check.walls) / min(inspect.walls):.2f}× by the minimums")


if __name__ == "__main__":
    main()
