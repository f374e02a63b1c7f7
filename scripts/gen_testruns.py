#!/usr/bin/env python3
"""Large deterministic xUnit v2, NUnit 3 and TRX test reports, with their true totals.

The .NET companions of ../shared/tools/gen_reports.py's JUnit generator, for the benchmark
(scripts/bench_testruns.py): the same seed gives the same bytes. Each file is shaped like
what the real tool writes (xunit.console v2 XML, nunit3-console result XML, `dotnet test
--logger trx`): passing, failing, erroring and skipped tests, failure messages with stack
traces, captured output, traits/categories, and the header counts (never read by testcert).

The truth file holds the totals the way gen_reports.py writes them for JUnit: `tests`,
`failures`, `errors`, `skipped`, `passed` (and `suites`, `bytes`, `format`, `seed`).

    python3 scripts/gen_testruns.py --format nunit --tests 300000 --seed 7 \\
        --out bench-data/nunit-50.xml --write-truth bench-data/nunit-50.xml.truth.json
"""
import argparse
import json
import os
import random
import sys
import time


def attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\n", "&#10;"))


def text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cdata(s):
    # A `]]>` inside would end the section: split it as writers do.
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


ASSEMBLY = "Contoso.Billing.Tests"
NAMES = ("Parses_input", "Renders<html>", "Merges_ranges", "Handles_edge_case", "Unicode_é_✓")
FAILS = [
    ("Xunit.Sdk.EqualException", "Assert.Equal() Failure: Values differ\nExpected: %d\nActual:   %d"),
    ("NUnit.Framework.AssertionException", "  Expected: \"ok\" & got \"fail\" for id=%d (limit %d)"),
    ("Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException",
     "Assert.AreEqual failed. Expected:<%d>. Actual:<%d>."),
]
ERRORS = [
    ("System.NullReferenceException", "Object reference not set to an instance of an object (%d, %d)"),
    ("System.TimeoutException", "The operation timed out after %d ms (attempt %d)"),
]


def trace(r, cls, method, depth):
    lines = ["   at %s.%s() in /src/%s/%s.cs:line %d" % (cls, method, ASSEMBLY, cls.rsplit(".", 1)[-1],
                                                         10 + int(r.random() * 900))]
    for d in range(depth):
        lines.append("   at %s.Helper%d(Int32 x) in /src/%s/Helpers.cs:line %d"
                     % (cls, d, ASSEMBLY, 10 + int(r.random() * 900)))
    lines.append("   at System.RuntimeMethodHandle.InvokeMethod(Object target, Void** arguments, Signature sig, Boolean isConstructor)")
    lines.append("   at System.Reflection.MethodBaseInvoker.InvokeWithNoArgs(Object obj, BindingFlags invokeAttr)")
    return "\n".join(lines)


def plan(args):
    """Classes of 1..~120 tests (mean ~50), each test (name, outcome, seconds, detail)."""
    r0 = random.Random("%d:testruns" % args.seed)
    sizes, left = [], args.tests
    while left > 0:
        n = min(left, 1 + int(r0.expovariate(1.0 / 49.0)))
        sizes.append(n)
        left -= n
    for ci, n in enumerate(sizes):
        r = random.Random("%d:class:%d" % (args.seed, ci))
        cls = "%s.Module%03d.Class%05dTests" % (ASSEMBLY, ci // 40, ci)
        tests = []
        for k in range(n):
            secs = (int(r.expovariate(1.0 / 40.0)) if r.random() < 0.95 else int(r.random() * 30000)) / 1000.0
            name = "%s_%03d" % (NAMES[k % len(NAMES)], k)
            x = r.random()
            if x < args.fail_rate:
                typ, fmt = FAILS[int(r.random() * len(FAILS))]
                detail = (typ, fmt % (int(r.random() * 100), int(r.random() * 100)),
                          trace(r, cls, name, 3 + int(r.random() * 12)))
                tests.append((name, "failed", secs, detail))
            elif x < args.fail_rate + args.error_rate:
                typ, fmt = ERRORS[int(r.random() * len(ERRORS))]
                detail = (typ, fmt % (int(r.random() * 100), int(r.random() * 100)),
                          trace(r, cls, name, 3 + int(r.random() * 20)))
                tests.append((name, "error", secs, detail))
            elif x < args.fail_rate + args.error_rate + args.skip_rate:
                tests.append((name, "skipped", secs, "not ready: see <JIRA-%d> & notes" % k))
            else:
                out = "processed %d items" % int(r.random() * 10000) if r.random() < 0.05 else None
                tests.append((name, "passed", secs, out))
        yield ci, cls, tests


def tally(T, tests):
    for _, outcome, secs, _ in tests:
        T["tests"] += 1
        T[{"failed": "failures", "error": "errors", "skipped": "skipped", "passed": "passed"}[outcome]] += 1
    T["suites"] += 1


def write_xunit(args, f, T):
    # xUnit v2 has no "error" result: an exception is a Fail. Errors are written as Fail
    # with an exception type, and counted as failures (as xunit itself counts them).
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<assemblies timestamp="11/14/2023 22:13:20">\n')
    f.write('  <assembly name="/src/%s/bin/Release/net8.0/%s.dll" environment="64-bit .NET 8.0.1 [collection-per-class, parallel (2 threads)]" '
            'test-framework="xUnit.net 2.6.6.0" run-date="2023-11-14" run-time="22:13:20" total="%d" passed="0" failed="0" skipped="0" time="0" errors="0">\n'
            % (ASSEMBLY, ASSEMBLY, args.tests))
    f.write('    <errors />\n')
    for ci, cls, tests in plan(args):
        tests = [(n, "failed" if o == "error" else o, s, d) for n, o, s, d in tests]
        tally(T, tests)
        f.write('    <collection total="%d" passed="0" failed="0" skipped="0" name="Test collection for %s" time="0">\n'
                % (len(tests), cls))
        for name, outcome, secs, detail in tests:
            result = {"passed": "Pass", "failed": "Fail", "skipped": "Skip"}[outcome]
            head = ('      <test name="%s.%s" type="%s" method="%s" time="%.7f" result="%s"'
                    % (cls, attr(name), cls, attr(name), secs, result))
            traits = '        <traits>\n          <trait name="Category" value="Unit" />\n        </traits>\n' if ci % 7 == 0 else ""
            if outcome == "failed":
                typ, msg, tr = detail
                f.write(head + '>\n' + traits + '        <failure exception-type="%s">\n          <message>%s</message>\n'
                        '          <stack-trace>%s</stack-trace>\n        </failure>\n      </test>\n'
                        % (typ, cdata(typ + " : " + msg), cdata(tr)))
            elif outcome == "skipped":
                f.write(head + '>\n' + traits + '        <reason>%s</reason>\n      </test>\n' % cdata(detail))
            else:
                f.write(passed(head, traits, detail, "test"))
        f.write('    </collection>\n')
    f.write('  </assembly>\n</assemblies>\n')


def passed(head, props, output, tag):
    """A passed test's element: empty unless it has properties (traits) or output."""
    if not (output or props):
        return head + ' />\n'
    out = '        <output>%s</output>\n' % cdata(output) if output else ""
    return head + '>\n' + props + out + '      </%s>\n' % tag


def write_nunit(args, f, T):
    f.write('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            '<test-run id="0" runstate="Runnable" testcasecount="%d" result="Failed" total="%d" engine-version="3.16.3.0" '
            'clr-version="8.0.1" start-time="2023-11-14 22:13:20Z" end-time="2023-11-14 22:20:00Z" duration="400.0">\n'
            % (args.tests, args.tests))
    f.write('  <command-line><![CDATA[nunit3-console %s.dll]]></command-line>\n' % ASSEMBLY)
    f.write('  <test-suite type="Assembly" id="0-1" name="%s.dll" fullname="/src/%s/bin/Release/net8.0/%s.dll" runstate="Runnable" result="Failed">\n'
            '    <properties>\n      <property name="_PID" value="4242" />\n      <property name="_APPDOMAIN" value="testhost" />\n    </properties>\n'
            % (ASSEMBLY, ASSEMBLY, ASSEMBLY))
    tid = 1000
    for ci, cls, tests in plan(args):
        tally(T, tests)
        ns, short = cls.rsplit(".", 1)
        f.write('    <test-suite type="TestFixture" id="0-%d" name="%s" fullname="%s" classname="%s" runstate="Runnable" testcasecount="%d" result="Passed">\n'
                % (tid, short, cls, cls, len(tests)))
        tid += 1
        for name, outcome, secs, detail in tests:
            tid += 1
            result, label = {"passed": ("Passed", ""), "failed": ("Failed", ""), "error": ("Failed", "Error"),
                             "skipped": ("Skipped", "Ignored")}[outcome]
            head = ('      <test-case id="0-%d" name="%s" fullname="%s.%s" methodname="%s" classname="%s" runstate="Runnable" seed="%d" '
                    'result="%s"%s start-time="2023-11-14T22:13:20Z" end-time="2023-11-14T22:13:21Z" duration="%.6f" asserts="1"'
                    % (tid, attr(name), cls, attr(name), attr(name), cls, tid * 7919 % 1000003, result,
                       ' label="%s"' % label if label else "", secs))
            props = ('        <properties>\n          <property name="Category" value="Unit" />\n        </properties>\n'
                     if ci % 7 == 0 else "")
            if outcome in ("failed", "error"):
                typ, msg, tr = detail
                f.write(head + '>\n' + props + '        <failure>\n          <message>%s</message>\n          <stack-trace>%s</stack-trace>\n'
                        '        </failure>\n        <output>%s</output>\n      </test-case>\n'
                        % (cdata(typ + " : " + msg), cdata(tr), cdata("log line for %s & more" % name)))
            elif outcome == "skipped":
                f.write(head + '>\n        <properties>\n          <property name="_SKIPREASON" value="%s" />\n        </properties>\n'
                        '        <reason>\n          <message>%s</message>\n        </reason>\n      </test-case>\n'
                        % (attr(detail), cdata(detail)))
            else:
                f.write(passed(head, props, detail, "test-case"))
        f.write('    </test-suite>\n')
    f.write('  </test-suite>\n</test-run>\n')


def guid(n, kind):
    h = (n * 2654435761 + kind * 40503) & 0xFFFFFFFFFFFF
    return "%08x-%04x-%04x-%04x-%012x" % (n & 0xFFFFFFFF, kind, (n >> 16) & 0xFFFF, 0x8000 | (n % 0x7FFF), h)


def write_trx(args, f, T):
    # TRX puts every result before every definition: the definitions are written to a
    # second temporary file and appended.
    defs_path = args.out + ".defs.tmp"
    f.write('<?xml version="1.0" encoding="utf-8"?>\n'
            '<TestRun id="%s" name="ci@runner 2023-11-14 22:13:20" runUser="ci" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">\n'
            '  <Times creation="2023-11-14T22:13:20.0000000+00:00" queuing="2023-11-14T22:13:20.0000000+00:00" '
            'start="2023-11-14T22:13:20.0000000+00:00" finish="2023-11-14T22:20:00.0000000+00:00" />\n'
            '  <TestSettings name="default" id="%s">\n    <Deployment runDeploymentRoot="ci_runner_2023-11-14_22_13_20" />\n  </TestSettings>\n'
            '  <Results>\n' % (guid(0, 1), guid(0, 2)))
    storage = "/src/%s/bin/release/net8.0/%s.dll" % (ASSEMBLY.lower(), ASSEMBLY.lower())
    n = 0
    with open(defs_path, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as d:
        for ci, cls, tests in plan(args):
            tally(T, tests)
            for name, outcome, secs, detail in tests:
                n += 1
                test_id, exec_id = guid(n, 3), guid(n, 4)
                result = {"passed": "Passed", "failed": "Failed", "error": "Error", "skipped": "NotExecuted"}[outcome]
                whole = int(secs * 1e7)
                dur = "%02d:%02d:%02d.%07d" % (whole // 36000000000, whole // 600000000 % 60, whole // 10000000 % 60, whole % 10000000)
                head = ('    <UnitTestResult executionId="%s" testId="%s" testName="%s.%s" computerName="runner" duration="%s" '
                        'startTime="2023-11-14T22:13:20.0000000+00:00" endTime="2023-11-14T22:13:21.0000000+00:00" '
                        'testType="13cdc9d9-ddb5-4fa4-a97d-d965ccfc6d4b" outcome="%s" testListId="8c84fa94-04c1-424b-9868-57a2d4851a1d" relativeResultsDirectory="%s"'
                        % (exec_id, test_id, cls, attr(name), dur, result, exec_id))
                if outcome in ("failed", "error"):
                    typ, msg, tr = detail
                    f.write(head + '>\n      <Output>\n        <StdOut>%s</StdOut>\n        <ErrorInfo>\n          <Message>%s</Message>\n'
                            '          <StackTrace>%s</StackTrace>\n        </ErrorInfo>\n      </Output>\n    </UnitTestResult>\n'
                            % (text("log line for %s & more" % name), text(typ + " : " + msg), text(tr)))
                elif outcome == "skipped":
                    f.write(head + '>\n      <Output>\n        <StdOut>%s</StdOut>\n      </Output>\n    </UnitTestResult>\n' % text(detail))
                elif detail:
                    f.write(head + '>\n      <Output>\n        <StdOut>%s</StdOut>\n      </Output>\n    </UnitTestResult>\n' % text(detail))
                else:
                    f.write(head + ' />\n')
                cats = ('      <TestCategory>\n        <TestCategoryItem TestCategory="Unit" />\n      </TestCategory>\n'
                        if ci % 7 == 0 else "")
                d.write('    <UnitTest name="%s" storage="%s" id="%s">\n%s      <Execution id="%s" />\n'
                        '      <TestMethod codeBase="%s" adapterTypeName="executor://mstestadapter/v2" className="%s" name="%s" />\n'
                        '    </UnitTest>\n' % (attr(name), storage, test_id, cats, exec_id, storage, cls, attr(name)))
    f.write('  </Results>\n  <TestDefinitions>\n')
    with open(defs_path, encoding="utf-8") as d:
        while True:
            chunk = d.read(1 << 22)
            if not chunk:
                break
            f.write(chunk)
    os.remove(defs_path)
    f.write('  </TestDefinitions>\n  <TestLists>\n    <TestList name="Results Not in a List" id="8c84fa94-04c1-424b-9868-57a2d4851a1d" />\n  </TestLists>\n'
            '  <ResultSummary outcome="Failed">\n    <Counters total="%d" executed="%d" passed="%d" failed="%d" error="%d" notExecuted="%d" />\n'
            '  </ResultSummary>\n</TestRun>\n'
            % (T["tests"], T["tests"] - T["skipped"], T["passed"], T["failures"], T["errors"], T["skipped"]))


WRITERS = {"xunit": write_xunit, "nunit": write_nunit, "trx": write_trx}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", required=True, choices=sorted(WRITERS))
    ap.add_argument("--tests", type=int, default=10000)
    ap.add_argument("--fail-rate", type=float, default=0.02)
    ap.add_argument("--error-rate", type=float, default=0.005, help="errors (xUnit has none: written as failures)")
    ap.add_argument("--skip-rate", type=float, default=0.03)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--write-truth")
    args = ap.parse_args()
    T = dict(tests=0, failures=0, errors=0, skipped=0, passed=0, suites=0)
    t0 = time.time()
    with open(args.out, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        WRITERS[args.format](args, f, T)
    size = os.path.getsize(args.out)
    if args.write_truth:
        truth = dict(T, format=args.format, generator="gen_testruns.py", seed=args.seed, bytes=size,
                     argv=sys.argv[1:])
        with open(args.write_truth, "w") as f:
            json.dump(truth, f, indent=1, sort_keys=True)
    print("gen_testruns: %s %s  %d bytes (%.1f MB) in %.1fs  tests=%d failures=%d errors=%d skipped=%d"
          % (args.format, args.out, size, size / 1e6, time.time() - t0, T["tests"], T["failures"], T["errors"],
             T["skipped"]), file=sys.stderr)


if __name__ == "__main__":
    main()
