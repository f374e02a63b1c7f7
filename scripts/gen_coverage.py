#!/usr/bin/env python3
"""Deterministic large Clover and OpenCover reports, with their true totals.

The shared generator (../shared/tools/gen_reports.py) writes LCOV, Cobertura and JaCoCo; this
script adds the two formats it lacks. It imports that generator and serialises the SAME
per-file model (its `Project.file_model`: executable lines, hits, branches, functions, one
random stream per file from --seed), so a Clover or OpenCover file made with the same
--seed/--files/--lines-per-file describes the same project as gen_reports.py's LCOV, Cobertura
and JaCoCo files, with the same line, branch and function totals. The truth JSON has
gen_reports.py's keys (files, lines_valid, lines_covered, branches_valid, branches_covered,
functions_valid, functions_covered, lines_partial, bytes, ...), computed by its
`model_totals`.

How the model is written (and how testcert reads it back to the same totals):

  clover     <coverage><project><package><file path><metrics/><line .../>... per
             OpenClover's layout. A function is a `type="method"` line with `visibility`
             (OpenClover's: not an executable line itself) and `count` = its calls, followed by
             a `stmt` line for its first line; other lines are `stmt`, or `cond` when the line
             has branches. `cond` lines carry `count` (the line's hits), `truecount` = branches
             taken and `falsecount` = branches never taken: the Istanbul/ReportGenerator
             reading, which can state the 4- and 6-way branches of the model (OpenClover's own
             `cond` always means 2 outcomes).
  opencover  <CoverageSession><Modules><Module> per package, <Files> with uids, one <Class> per
             file, one <Method> per function with a <SequencePoint> per executable line
             (`vc` = hits), a <BranchPoint> per branch outcome (`vc` = times taken) and a
             <MethodPoint>; `visited` says whether the method ran.

    python3 scripts/gen_coverage.py --format clover --files 2000 --seed 7 \\
        --out clover.xml --write-truth clover.xml.truth.json

Standard library only (Python >= 3.8).
"""

import argparse
import importlib.util
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The shared tools sit next to the main checkout (../shared) or, from a worktree under
# wt/, one level further up; TESTCERT_GEN_REPORTS names the generator anywhere else.
DEFAULT_GEN = os.environ.get("TESTCERT_GEN_REPORTS") or next(
    (p for p in (os.path.join(ROOT, up, "shared", "tools", "gen_reports.py") for up in ("..", os.path.join("..", "..")))
     if os.path.exists(p)),
    os.path.join(ROOT, "..", "shared", "tools", "gen_reports.py"))
BASE_EPOCH = 1700000000  # fixed, as in gen_reports.py: output never depends on the clock


def load_gen(path):
    spec = importlib.util.spec_from_file_location("gen_reports", path)
    if spec is None or spec.loader is None:
        sys.exit("gen_coverage: cannot load %s" % path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def clover_file(g, proj, i, model, out):
    """Appends file i's <file> element to `out`; returns its (statements, covered) etc."""
    lines, hits, branches, funcs = model
    hit_of = dict(zip(lines, hits))
    starts = {}
    for name, start, _end, calls in funcs:
        starts[start] = (name, calls)
    cond_total = sum(len(tk) for tk in branches.values())
    cond_covered = sum(1 for tk in branches.values() for t in tk if t)
    covered_lines = sum(1 for h in hits if h > 0)
    covered_methods = sum(1 for f in funcs if f[3] > 0)
    path = proj.lcov_path(i)
    out.append('\t\t\t<file name="%s" path="%s">\n' % (esc(proj.file_name(i)), esc(path)))
    out.append(
        '\t\t\t\t<metrics classes="1" methods="%d" coveredmethods="%d" conditionals="%d" '
        'coveredconditionals="%d" statements="%d" coveredstatements="%d" elements="%d" '
        'coveredelements="%d" loc="%d" ncloc="%d"/>\n'
        % (len(funcs), covered_methods, cond_total, cond_covered, len(lines), covered_lines,
           len(lines) + cond_total, covered_lines + cond_covered, proj.m, len(lines))
    )
    for l in lines:
        h = hit_of[l]
        if l in starts:
            name, calls = starts[l]
            out.append('\t\t\t\t<line num="%d" count="%d" type="method" signature="%s() : void" '
                       'visibility="public" complexity="1"/>\n' % (l, calls, name))
        tk = branches.get(l)
        if tk is None:
            out.append('\t\t\t\t<line num="%d" count="%d" type="stmt"/>\n' % (l, h))
        else:
            taken = sum(1 for t in tk if t)
            out.append('\t\t\t\t<line num="%d" count="%d" type="cond" truecount="%d" falsecount="%d"/>\n'
                       % (l, h, taken, len(tk) - taken))
    out.append("\t\t\t</file>\n")


def write_clover(g, proj, out_path):
    tot = g.Totals()
    with open(out_path, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write('<coverage generated="%d" clover="4.5.2">\n' % (BASE_EPOCH * 1000))
        f.write('\t<project timestamp="%d" name="example-project">\n' % (BASE_EPOCH * 1000))
        for p0 in range(0, proj.files, g.FILES_PER_PACKAGE):
            chunks = []
            for i in range(p0, min(proj.files, p0 + g.FILES_PER_PACKAGE)):
                model = proj.file_model(i)
                tot.add(g.model_totals(model))
                clover_file(g, proj, i, model, chunks)
            f.write('\t\t<package name="%s">\n' % proj.pkg_dotted(p0))
            f.write("".join(chunks))
            f.write("\t\t</package>\n")
        f.write("\t</project>\n</coverage>\n")
    return tot


def opencover_module(g, proj, p0, out, tot, uid_base):
    files = range(p0, min(proj.files, p0 + g.FILES_PER_PACKAGE))
    models = {}
    out.append('\t\t<Module hash="%08X">\n' % (p0 + 1))
    out.append("\t\t\t<ModulePath>/build/%s.dll</ModulePath>\n" % proj.pkg_dotted(p0))
    out.append("\t\t\t<ModuleName>%s</ModuleName>\n\t\t\t<Files>\n" % proj.pkg_dotted(p0))
    for i in files:
        models[i] = proj.file_model(i)
        tot.add(g.model_totals(models[i]))
        out.append('\t\t\t\t<File uid="%d" fullPath="%s"/>\n' % (uid_base + i, esc(proj.lcov_path(i))))
    out.append("\t\t\t</Files>\n\t\t\t<Classes>\n")
    uspid = 0
    for i in files:
        uid = uid_base + i
        lines, hits, branches, funcs = models[i]
        hit_of = dict(zip(lines, hits))
        cls = "%s.%s" % (proj.pkg_dotted(p0), proj.base_name(i))
        out.append("\t\t\t\t<Class>\n\t\t\t\t\t<FullName>%s</FullName>\n\t\t\t\t\t<Methods>\n" % cls)
        for name, start, end, calls in funcs:
            body = [l for l in lines if start <= l <= end]
            out.append('\t\t\t\t\t\t<Method visited="%s" cyclomaticComplexity="1" sequenceCoverage="0" '
                       'branchCoverage="0" isConstructor="false" isStatic="false" isGetter="false" isSetter="false">\n'
                       % ("true" if calls > 0 else "false"))
            out.append("\t\t\t\t\t\t\t<Name>System.Void %s::%s()</Name>\n" % (cls, name))
            out.append('\t\t\t\t\t\t\t<FileRef uid="%d"/>\n\t\t\t\t\t\t\t<SequencePoints>\n' % uid)
            for k, l in enumerate(body):
                uspid += 1
                out.append('\t\t\t\t\t\t\t\t<SequencePoint vc="%d" uspid="%d" ordinal="%d" offset="%d" sl="%d" '
                           'sc="9" el="%d" ec="40" bec="%d" bev="0" fileid="%d"/>\n'
                           % (hit_of[l], uspid, k, 4 * k, l, l, len(branches.get(l, ())), uid))
            out.append("\t\t\t\t\t\t\t</SequencePoints>\n\t\t\t\t\t\t\t<BranchPoints>\n")
            ordinal = 0
            for l in body:
                for path, t in enumerate(branches.get(l, ())):
                    uspid += 1
                    out.append('\t\t\t\t\t\t\t\t<BranchPoint vc="%d" uspid="%d" ordinal="%d" offset="%d" sl="%d" '
                               'path="%d" offsetend="%d" fileid="%d"/>\n'
                               % (t or 0, uspid, ordinal, 4 * ordinal, l, path, 4 * ordinal + 2, uid))
                    ordinal += 1
            out.append("\t\t\t\t\t\t\t</BranchPoints>\n")
            out.append('\t\t\t\t\t\t\t<MethodPoint vc="%d" uspid="%d" ordinal="0" offset="0" sl="%d" sc="9" '
                       'el="%d" ec="40" bec="0" bev="0" fileid="%d"/>\n' % (calls, uspid, start, start, uid))
            out.append("\t\t\t\t\t\t</Method>\n")
        out.append("\t\t\t\t\t</Methods>\n\t\t\t\t</Class>\n")
    out.append("\t\t\t</Classes>\n\t\t</Module>\n")


def write_opencover(g, proj, out_path):
    tot = g.Totals()
    with open(out_path, "w", encoding="utf-8", newline="\n", buffering=1 << 22) as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n')
        f.write('<CoverageSession xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n\t<Modules>\n')
        for p0 in range(0, proj.files, g.FILES_PER_PACKAGE):
            chunks = []
            opencover_module(g, proj, p0, chunks, tot, 1)
            f.write("".join(chunks))
        f.write("\t</Modules>\n</CoverageSession>\n")
    return tot


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--format", required=True, choices=["clover", "opencover"])
    ap.add_argument("--files", type=int, default=100, help="source files")
    ap.add_argument("--lines-per-file", type=int, default=1000, help="source lines per file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--write-truth", metavar="PATH", help="write the true totals as JSON")
    ap.add_argument("--src-root", default="src/main/java", help="as gen_reports.py's --src-root")
    ap.add_argument("--path-prefix", default="", help="prefix of every file path (e.g. an absolute build root)")
    ap.add_argument("--gen-reports", default=DEFAULT_GEN, help="path of gen_reports.py (default: %(default)s)")
    args = ap.parse_args(argv)

    g = load_gen(args.gen_reports)
    t0 = time.time()
    proj = g.Project(args.seed, args.files, args.lines_per_file, args.src_root, args.path_prefix)
    writer = {"clover": write_clover, "opencover": write_opencover}[args.format]
    tot = writer(g, proj, args.out)
    size = os.path.getsize(args.out)
    truth = {"generator": "gen_coverage.py (model of gen_reports.py)", "format": args.format,
             "seed": args.seed, "argv": sys.argv[1:] if argv is None else argv}
    truth.update(tot.as_dict())
    truth["bytes"] = size
    truth["lines_per_file"] = args.lines_per_file
    print("gen_coverage: %s %s  %d bytes (%.1f MB) in %.1fs" % (args.format, args.out, size, size / 1e6, time.time() - t0),
          file=sys.stderr)
    print("  files=%d lines valid=%d covered=%d  branches valid=%d covered=%d  functions valid=%d covered=%d"
          % (tot.files, tot.lv, tot.lc, tot.bv, tot.bc, tot.fv, tot.fc), file=sys.stderr)
    if args.write_truth:
        with open(args.write_truth, "w", encoding="utf-8") as f:
            json.dump(truth, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
