#!/usr/bin/env python3
"""Throughput and peak memory of `testcert inspect` on large test reports: JUnit (from
../shared/tools/gen_reports.py), xUnit v2, NUnit 3 and TRX (from scripts/gen_testruns.py),
about 50 MB each, deterministic, cached under bench-data/.

Each file is read by the release binary and by `xmllint --stream --noout` (Debian's
libxml2-utils) in the same run, alternately, `--runs` times; the table gives the minimum
of each (the machine is shared: the minimum is the least disturbed run), the peak RSS of
testcert, whether every total equals the generator's truth, and the ratio
reference s / testcert s (above 1: testcert is faster; issue 13 asks for at least 1.5).
The CPU columns (user + system seconds, minimum of the runs) say the same with less noise
when other processes share the cores: wall time then mostly measures the wait for a core.

    python3 scripts/bench_testruns.py                  # all four formats
    python3 scripts/bench_testruns.py --formats nunit,trx --runs 5
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "scripts", "gen_testruns.py")
# The JUnit generator's location, the data folder and the empty root are bench.py's.
from bench import DATA, GEN as GEN_JUNIT, empty_root  # noqa: E402

BIN = os.path.join(ROOT, "target", "release", "testcert")

# Test cases per format, chosen so that each file lands near 50 MB.
CASES = {"junit": 350000, "xunit": 185000, "nunit": 110000, "trx": 47000}
# The name testcert gives each format in its JSON.
NAMES = {"junit": "junit", "xunit": "xunit2", "nunit": "nunit3", "trx": "trx"}


def generate(fmt):
    os.makedirs(DATA, exist_ok=True)
    out = os.path.join(DATA, f"{fmt}-50.{'trx' if fmt == 'trx' else 'xml'}")
    truth = out + ".truth.json"
    if not (os.path.exists(out) and os.path.exists(truth)):
        gen = GEN_JUNIT if fmt == "junit" else GEN
        subprocess.run([sys.executable, gen, "--format", fmt, "--tests", str(CASES[fmt]), "--seed", "7",
                        "--out", out, "--write-truth", truth], check=True, stderr=subprocess.DEVNULL)
    return out, json.load(open(truth))


def run(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one process, by
    /usr/bin/time."""
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    rss, user, system = proc.stderr.decode().strip().splitlines()[-1].split()
    return proc, wall, float(user) + float(system), int(rss) / 1024


def check(fmt, got, truth):
    want = {"format": NAMES[fmt], "tests": truth["tests"], "failed": truth["failures"],
            "errors": truth["errors"], "skipped": truth["skipped"], "warnings": []}
    have = {k: got[k] for k in want}
    return "ok" if want == have else f"MISMATCH want {want} got {have}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--formats", default="junit,xunit,nunit,trx")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true", help="use target/release/testcert as it is")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    xmllint = shutil.which("xmllint")
    if not (xmllint and shutil.which("/usr/bin/time")):
        sys.exit("needs xmllint (apt-get install libxml2-utils) and /usr/bin/time (apt-get install time)")
    print("| format | file MB | testcert s | MB/s | peak RSS MiB | RSS / file | totals | reference | reference s | ratio "
          "| testcert CPU s | reference CPU s | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for fmt in args.formats.split(","):
        path, truth = generate(fmt)
        size = os.path.getsize(path)
        mb = size / 1e6
        # Warm the page cache so both tools read from memory.
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL)
        walls, refs, cpus, ref_cpus, rss, verdict = [], [], [], [], 0.0, "ok"
        for _ in range(args.runs):
            proc, wall, cpu, r = run([BIN, "inspect", "--format", "json", "--root", empty_root(), path])
            if proc.returncode != 0:
                print(proc.stderr.decode()[-2000:], file=sys.stderr)
                verdict = "FAILED"
                break
            v = check(fmt, json.loads(proc.stdout)[0], truth)
            if v != "ok":
                verdict = v
            walls.append(wall)
            cpus.append(cpu)
            rss = max(rss, r)
            _, rw, rc, _ = run([xmllint, "--stream", "--noout", path])
            refs.append(rw)
            ref_cpus.append(rc)
        failed |= verdict != "ok"
        if not walls:
            print(f"| {fmt} | {mb:.0f} | - | - | - | - | {verdict} | - | - | - | - | - | - |", flush=True)
            continue
        wall, ref, cpu, ref_cpu = min(walls), min(refs), min(cpus), min(ref_cpus)
        print(f"| {fmt} | {mb:.0f} | {wall:.2f} | {mb / wall:.0f} | {rss:.0f} | {rss * 1024 * 1024 / size:.2f} | "
              f"{verdict} | xmllint --stream | {ref:.2f} | {ref / wall:.2f} | {cpu:.2f} | {ref_cpu:.2f} | "
              f"{ref_cpu / max(cpu, 0.01):.2f} |", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
