#!/usr/bin/env python3
"""`testcert check` on a 100-project monorepo with ~1 GB of reports.

Builds (once, cached under bench-data/monorepo/) a repository with 100 projects declared by a
`[[project]] path = "projects/*"` glob, each with an LCOV tracefile (~8 MB) and a JUnit
report (~2 MB) written by ../shared/tools/gen_reports.py, then times the release binary's
`check --format json` and reports wall time, throughput and peak RSS.

    python3 scripts/bench_check.py [--projects 100] [--files-per-project 170]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "tools", "gen_reports.py")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--files-per-project", type=int, default=700)
    ap.add_argument("--tests-per-project", type=int, default=14000)
    args = ap.parse_args()
    repo = os.path.join(ROOT, "bench-data", f"monorepo-{args.projects}x{args.files_per_project}")
    stamp = os.path.join(repo, ".generated")
    if not os.path.exists(stamp):
        os.makedirs(repo, exist_ok=True)
        with open(os.path.join(repo, "testcert.toml"), "w") as f:
            f.write('[[project]]\npath = "projects/*"\n')
        for i in range(args.projects):
            p = os.path.join(repo, "projects", f"p{i:03}")
            os.makedirs(os.path.join(p, "coverage"), exist_ok=True)
            os.makedirs(os.path.join(p, "test-results"), exist_ok=True)
            src = f"projects/p{i:03}/src"
            subprocess.run([sys.executable, GEN, "--format", "lcov", "--files", str(args.files_per_project),
                            "--lines-per-file", "1000", "--seed", str(i), "--src-root", src,
                            "--path-prefix", "/home/runner/work/mono/mono/",
                            "--out", os.path.join(p, "coverage", "lcov.info")],
                           check=True, stderr=subprocess.DEVNULL)
            subprocess.run([sys.executable, GEN, "--format", "junit", "--tests", str(args.tests_per_project),
                            "--seed", str(i), "--out", os.path.join(p, "test-results", "junit.xml")],
                           check=True, stderr=subprocess.DEVNULL)
            print(f"generated project {i + 1}/{args.projects}", end="\r", file=sys.stderr)
        open(stamp, "w").close()
    size = 0
    for d, _, files in os.walk(repo):
        size += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "testcert")
    subprocess.run(["cat"] + [os.path.join(d, f) for d, _, fs in os.walk(repo) for f in fs],
                   stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "check", repo, "--format", "json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    rss = int(proc.stderr.decode().strip().splitlines()[-1]) / 1024
    result = json.loads(proc.stdout)
    print(f"check on {len(result['projects'])} projects, {result['reports_found']} reports, "
          f"{size / 1e9:.2f} GB: {wall:.1f} s ({size / 1e6 / wall:.0f} MB/s), peak RSS {rss:.0f} MiB, "
          f"exit {proc.returncode}")


if __name__ == "__main__":
    main()
