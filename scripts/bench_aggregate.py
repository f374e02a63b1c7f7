#!/usr/bin/env python3
"""`testcert aggregate` over many results: generates stamped `check --format json` results
(deterministic for a seed; levels, criteria, coverage and project counts vary; the example
repositories' real results are included), then times the release binary and reports wall
time and peak RSS (`/usr/bin/time -f %M`).

    python3 scripts/bench_aggregate.py [--count 10000] [--seed 1]
    python3 scripts/bench_aggregate.py --generate-only DIR --count 6   # just write results
    python3 scripts/bench_aggregate.py --page [--page-runs 5]           # and open index.html

With --page, the written index.html is opened in headless Chromium (driven over the DevTools
pipe, as tests/aggregate_browser.rs does) several times, and the page's own time from
navigation start to the first drawn page of rows (`data-render-ms`) is reported (min, median,
max), once plain and once with a sort and a filter in the URL fragment, plus a click-sort and
a typed filter (`data-apply-ms`).

Results are written under bench-data/aggregate-<count>/ (kept between runs), each a full
check result shaped like tests/expected/rust-workspace.diff.json: the template's criteria,
details and evidence, with the levels, statuses, coverage and stamp changed.
"""
import argparse
import copy
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "tests", "expected", "rust-workspace.diff.json")
EXAMPLES = ["rust-workspace.diff.json", "python-monorepo.diff.json"]
BASE_TIME = 1_748_736_000  # 2025-06-01T00:00:00Z


def rfc3339(secs):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))


def generate(i, rng, template):
    """One repository's result: 1 to 4 projects at levels 0..3."""
    r = copy.deepcopy(template)
    org = ["platform", "payments", "search", "mobile", "infra", "data"][i % 6]
    r["stamp"] = {
        "repository": f"github.com/acme-{org}/service-{i:05}",
        "commit": "%040x" % rng.getrandbits(160),
        "time": rfc3339(BASE_TIME - rng.randrange(0, 30 * 86400)),
    }
    proto = template["projects"][0]
    projects = []
    for p in range(rng.randint(1, 4)):
        proj = copy.deepcopy(proto)
        name = ["core", "api", "worker", "cli"][p]
        proj["name"] = f"service-{i:05}-{name}"
        proj["path"] = f"crates/{name}"
        level = rng.choices([0, 1, 2, 3], weights=[2, 3, 3, 2])[0]
        required = rng.choice([0, 1, 1, 2])
        proj["level"] = level
        proj["required_level"] = required
        proj["passed"] = level >= required
        proj["relies_on_waiver"] = False
        blocked = False
        for c in proj["criteria"]:
            if c["level"] <= level:
                c["status"] = "met"
            elif c["level"] == level + 1 and not blocked:
                c["status"] = rng.choice(["unmet", "unmet", "unknown"])
                blocked = True
            else:
                c["status"] = rng.choice(["met", "met", "unmet", "unknown"])
        cov = proj["evidence"]["coverage"]
        total = rng.randint(200, 20000)
        cov["lines"] = {"total": total, "covered": int(total * rng.uniform(0.1, 0.98))}
        inc = proj["evidence"]["incremental"]
        inc["ratio"] = round(rng.uniform(0.0, 1.0), 4) if rng.random() > 0.1 else None
        projects.append(proj)
    r["projects"] = projects
    r["passed"] = all(p["passed"] for p in projects)
    return r


def write_results(out, count, seed):
    os.makedirs(out, exist_ok=True)
    with open(TEMPLATE) as f:
        template = json.load(f)
    rng = random.Random(seed)
    for i in range(count):
        path = os.path.join(out, f"service-{i:05}.json")
        with open(path, "w") as f:
            json.dump(generate(i, rng, template), f, indent=2)
            f.write("\n")
    # The example repositories' real results, stamped.
    for n, name in enumerate(EXAMPLES):
        with open(os.path.join(ROOT, "tests", "expected", name)) as f:
            r = json.load(f)
        repo = name.split(".")[0]
        r["stamp"] = {"repository": f"github.com/acme/{repo}",
                      "commit": "%040x" % (n + 1), "time": rfc3339(BASE_TIME)}
        with open(os.path.join(out, f"{repo}.json"), "w") as f:
            json.dump(r, f, indent=2)
            f.write("\n")


class Chromium:
    """Headless Chromium with one page, over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, profile):
        cmd = ('exec chromium --headless --no-sandbox --disable-gpu --no-first-run '
               '--disable-background-networking --disable-component-update --disable-sync '
               f'--remote-debugging-pipe --user-data-dir={profile} about:blank '
               '3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null')
        self.proc = subprocess.Popen(["sh", "-c", cmd], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.buf, self.id, self.session = b"", 0, None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method, params):
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params}
        if self.session:
            msg["sessionId"] = self.session
        self.proc.stdin.write(json.dumps(msg).encode() + b"\0")
        self.proc.stdin.flush()
        while True:
            while b"\0" not in self.buf:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    sys.exit("chromium closed its pipe")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.id:
                if "error" in reply:
                    sys.exit(f"{method}: {reply['error']}")
                return reply["result"]

    def eval(self, expr):
        return self.call("Runtime.evaluate",
                         {"expression": expr, "returnByValue": True})["result"].get("value")

    def open(self, url):
        # Through about:blank, so that a URL differing only by its fragment is a fresh load.
        deadline = time.time() + 120
        self.call("Page.navigate", {"url": "about:blank"})
        while self.eval("location.href") != "about:blank":
            if time.time() > deadline:
                sys.exit("about:blank did not load")
            time.sleep(0.02)
        self.call("Page.navigate", {"url": url})
        while self.eval("document.readyState === 'complete' && "
                        "document.documentElement.getAttribute('data-ready') === '1'") is not True:
            if time.time() > deadline:
                sys.exit(f"{url} did not load within 120 s")
            time.sleep(0.05)
        return [float(self.eval(f"document.documentElement.getAttribute('data-{k}-ms')"))
                for k in ("script", "parse", "render")]

    def close(self):
        self.proc.kill()
        self.proc.wait()


def spread(xs):
    xs = sorted(xs)
    return f"min {xs[0]:.0f} ms, median {xs[len(xs) // 2]:.0f} ms, max {xs[-1]:.0f} ms"


def time_page(page, runs):
    """The page's own times over `runs` fresh loads (each a new navigation)."""
    import tempfile
    url = "file://" + os.path.abspath(page)
    # Chromium may still be writing its profile as it exits: leftovers are not an error.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        b = Chromium(profile)
        try:
            plain, sorted_, click, typed = [], [], [], []
            for _ in range(runs):
                plain.append(b.open(url + "#"))
                sorted_.append(b.open(url + "#sort=coverage&dir=desc&q=worker&below=1"))
                b.open(url + "#")
                b.eval("document.querySelector('th[data-key=repository] button').click()")
                click.append(float(b.eval(
                    "document.documentElement.getAttribute('data-apply-ms')")))
                b.eval("var q = document.getElementById('q'); q.value = 'acme-search'; "
                       "q.dispatchEvent(new Event('input'))")
                typed.append(float(b.eval(
                    "document.documentElement.getAttribute('data-apply-ms')")))
            shown = b.eval("document.getElementById('shown').textContent")
            size = os.path.getsize(page)
        finally:
            b.close()
    print(f"index.html in Chromium, the page's own time over {runs} loads ({shown} after the "
          f"last filter):")
    print(f"  ({size / 1e6:.1f} MB; each: document read up to the script / data parsed / "
          f"first page of rows drawn, from navigation start)")
    for what, times in (("open", plain), ("open sorted and filtered from the fragment", sorted_)):
        print(f"  {what}: " + " / ".join(spread([t[i] for t in times]) for i in range(3)))
    print(f"  click-sort all rows: {spread(click)}; typed filter: {spread(typed)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--generate-only", metavar="DIR")
    ap.add_argument("--page", action="store_true", help="also time index.html in Chromium")
    ap.add_argument("--page-runs", type=int, default=5)
    args = ap.parse_args()
    if args.generate_only:
        write_results(args.generate_only, args.count, args.seed)
        return
    data = os.path.join(ROOT, "bench-data", f"aggregate-{args.count}")
    results = os.path.join(data, "results")
    done = os.path.join(data, ".generated")
    if not os.path.exists(done):
        write_results(results, args.count, args.seed)
        open(done, "w").close()
    size = sum(os.path.getsize(os.path.join(results, f)) for f in os.listdir(results))
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "testcert")
    history = os.path.join(data, "history.jsonl")
    if os.path.exists(history):
        os.remove(history)
    # Warm the page cache so that the figure is the aggregation, not the disk.
    subprocess.run(["cat"] + [os.path.join(results, f) for f in os.listdir(results)],
                   stdout=subprocess.DEVNULL)
    for run in ("first run (history created)", "second run (history read, nothing appended)"):
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "aggregate", results,
                               "--out", os.path.join(data, "site"), "--history", history],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        err = proc.stderr.decode().strip().splitlines()
        if proc.returncode != 0:
            sys.exit(f"aggregate exited {proc.returncode}:\n" + "\n".join(err))
        rss = int(err[-1]) / 1024
        with open(os.path.join(data, "site", "aggregate.json")) as f:
            agg = json.load(f)
        assert agg["inputs"]["results"] == args.count + len(EXAMPLES), agg["inputs"]
        print(f"{run}: {args.count + len(EXAMPLES)} results ({size / 1e6:.0f} MB), "
              f"{agg['summary']['projects']} projects: {wall:.2f} s wall, peak RSS {rss:.0f} MB")
    page = os.path.getsize(os.path.join(data, "site", "index.html"))
    print(f"index.html {page / 1e6:.1f} MB, history {os.path.getsize(history) / 1e6:.1f} MB")
    if args.page:
        time_page(os.path.join(data, "site", "index.html"), args.page_runs)


if __name__ == "__main__":
    main()
