"""sesguard against checkov, and against the work that cannot be skipped.

Cases (issue #7), each timed in this one run on this machine:

1. no-SES monorepo: ../shared/corpus/perf. sesguard vs ``checkov -d ...
   --framework terraform --check CKV_AWS_365`` (checkov's only SES check; it
   still parses everything) vs reading every file vs parsing every file with
   python-hcl2.
2. SES-dense corpus, generated here (seeded, deterministic): N modules with
   identities, policies built through aws_iam_policy_document, variables, a
   module call, Route53 records and a configuration set; N = 100, 200, 400,
   800 by default. Reports the fitted slope and the worst deviation from it,
   the same scan with ``--no-cache`` (what writing the cache costs), a
   re-scan with one file changed and the caches warm (``sesguard_warm``) as
   a ratio of the cold scan, and the cold scan with ``--jobs 2`` and
   ``--jobs 4`` worker processes.
3. pre-commit: one changed .tf file inside a 20-file module, whole process
   start to exit, sesguard vs checkov on the same file, and vs
   ``sesguard --version`` (the floor of any run): cold, then with the parse
   cache warm and the changed file edited before each run (``sesguard_warm``,
   what the hook does), and with nothing changed (``sesguard_hit``).
4. CloudFormation: ../shared/corpus/perf-cfn, sesguard vs checkov
   ``--framework cloudformation``.

Wall time is the median of --runs runs after one warm-up (min and max
shown); checkov runs without a warm-up (one warm-up of its monorepo run
alone takes 7 minutes; the sesguard runs before it leave the files in the
page cache anyway). Peak RSS comes from the child's resource usage (with
``--jobs``, the main process's). A child's peak RSS
includes its parent's memory until it execs, so the benchmark parses in a
child process of its own and stays small itself. sesguard runs with a
cache of the benchmark's own; "cold" runs start from one without parse or
evaluation entries (writing them is part of the time), holding the
compiled HCL grammar as every run after sesguard's first does. sesguard runs with bytecode
writing allowed (PYTHONDONTWRITEBYTECODE unset), as an installed sesguard
runs from compiled bytecode. checkov runs from its own virtual environment
(it cannot share one with python-hcl2), created on first use under
--checkov-venv.

Case 2 also reports which share of an in-process scan evaluating the
identity policies takes (``policy_share_N``; issue #12 wants it under 5%).

    python bench/compare.py [--runs 5] [--sizes 100,200,400,800] [--json out.json] [--skip-checkov]
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import json
import os
import pathlib
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"


CACHES = pathlib.Path(tempfile.mkdtemp(prefix="sesguard-bench-caches-"))
atexit.register(shutil.rmtree, CACHES, True)
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "SESGUARD_CACHE_DIR": str(CACHES / "first")}
_cache_names = itertools.count()


def run_command(args, cwd=None) -> tuple:
    """Wall seconds and peak RSS (MB) of one child process (its own, from wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = 0  # reaped by wait4
    return seconds, usage.ru_maxrss / 1024


def measure(args, runs: int, cwd=None, before=lambda: None, warm_up: bool = True) -> dict:
    """``before()`` runs before each run (the warm-up included) and is not timed."""
    samples = []
    for _ in range(runs + warm_up):
        before()
        samples.append(run_command(args, cwd))
    samples = samples[warm_up:]
    times = [s for s, _ in samples]
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": runs,
            "peak_rss_mb": round(max(m for _, m in samples), 1)}


def measure_python(fn, runs: int) -> dict:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": runs}


def checkov_binary(venv: pathlib.Path) -> str:
    binary = venv / "bin" / "checkov"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"checkov=={CHECKOV}"], check=True)
    return str(binary)


SESGUARD = [sys.executable, "-m", "analyzer"]
CHECKOV = "3.3.30"
JOBS = (2, 4)  # worker counts measured against one process (sesguard --jobs)


def empty_cache() -> None:
    """Point sesguard at a new cache directory without parse or evaluation
    entries (a cold run). It holds the compiled HCL grammar, as every run
    after sesguard's first on a machine finds it (analyzer.terraform.grammar;
    python-hcl2 kept it in its own package before). Deleting the previous
    directory instead would keep the file system busy during the run."""
    directory = CACHES / str(next(_cache_names))
    shutil.copytree(_compiled_grammar(), directory / "grammar")
    CHILD_ENV["SESGUARD_CACHE_DIR"] = str(directory)


def _compiled_grammar() -> pathlib.Path:
    """A cache directory's ``grammar`` folder, made once by a scan of one file."""
    primed = CACHES / "primed"
    if not (primed / "grammar").is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            pathlib.Path(tmp, "main.tf").write_text('resource "aws_ses_email_identity" "a" {\n  email = "a@b.c"\n}\n')
            subprocess.run(SESGUARD + ["scan", tmp, "--format", "json"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=CHILD_ENV | {"SESGUARD_CACHE_DIR": str(primed)})
    return primed / "grammar"


def editor(path: pathlib.Path):
    """A ``before`` that changes ``path`` each time (a new comment line), so
    that file misses the parse cache while the others hit."""
    count = iter(range(10 ** 9))

    def edit():
        with open(path, "a") as f:
            f.write(f"# edit {next(count)}\n")
    return edit


# -- the generated SES-dense corpus -------------------------------------------------

MODULE = '''variable "domain" {{
  type = string
}}

variable "senders" {{
  type    = list(string)
  default = ["arn:aws:iam::{account}:role/app"]
}}

resource "aws_ses_domain_identity" "this" {{
  domain = var.domain
}}

data "aws_iam_policy_document" "senders" {{
  statement {{
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_ses_domain_identity.this.arn]
    principals {{
      type        = "AWS"
      identifiers = var.senders
    }}
  }}
}}

resource "aws_ses_identity_policy" "this" {{
  identity = aws_ses_domain_identity.this.arn
  name     = "senders"
  policy   = data.aws_iam_policy_document.senders.json
}}

resource "aws_route53_record" "dkim" {{
  count   = 3
  zone_id = "Z123456ABCDEFG"
  name    = "token${{count.index}}._domainkey.${{var.domain}}"
  type    = "CNAME"
  ttl     = 600
  records = ["token${{count.index}}.dkim.amazonses.com"]
}}

resource "aws_ses_configuration_set" "this" {{
  name = "cs-{index}"
  delivery_options {{
    tls_policy = "Require"
  }}
}}
'''

ROOT = '''module "mail" {{
  source  = "./mail"
  domain  = "d{index}.example.com"
  senders = {senders}
}}
'''


def generate(directory: pathlib.Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for index in range(count):
        module = directory / f"m{index:04d}"
        (module / "mail").mkdir(parents=True)
        account = f"{rng.randrange(10**11, 10**12):012d}"
        (module / "mail" / "main.tf").write_text(MODULE.format(account=account, index=index))
        senders = '["*"]' if rng.random() < 0.1 else f'["arn:aws:iam::{account}:role/app"]'
        (module / "main.tf").write_text(ROOT.format(index=index, senders=senders))


def fit(points: list) -> dict:
    """Least-squares line through (n, seconds) and the worst relative deviation from it."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    intercept = my - slope * mx
    worst = max(abs(y - (intercept + slope * x)) / y for x, y in points)
    return {"seconds_per_module": slope, "intercept": intercept, "worst_deviation": worst}


# -- the cases ----------------------------------------------------------------------

PARSE_ALL = """
import pathlib, sys
from hcl2.api import parses_to_tree
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.tf")):
    try:
        parses_to_tree(path.read_text(encoding="utf-8"))
    except Exception:  # the corpus holds one file python-hcl2 rejects; its cost counts too
        pass
"""

def case_monorepo(options, checkov) -> dict:
    corpus = CORPUS / "perf"
    files = sorted(p for p in corpus.rglob("*.tf"))

    def read():
        for p in files:
            p.read_bytes()

    result = {"read": measure_python(read, options.runs),
              "sesguard": measure(SESGUARD + ["scan", str(corpus), "--format", "json"], options.runs,
                                  before=empty_cache),
              "parse_all": measure([sys.executable, "-c", PARSE_ALL, str(corpus)], 1)}
    if checkov:
        result["checkov"] = measure([checkov, "-d", str(corpus), "--framework", "terraform", "--check",
                                     "CKV_AWS_365", "--quiet", "--compact"], options.checkov_runs,
                                    warm_up=False)
    return result


# The scan in process, set up as `sesguard scan` sets it up (its garbage collector threshold), with
# the time in the verdict engine and, of that, in the collector's pauses: a pause falls on whatever code
# allocates when a threshold is reached, and its length is the size of the whole heap, not of that code.
POLICY_SHARE = """
import gc, json, sys, time
import analyzer.rules
from analyzer.cli import fewer_collections
from analyzer.engine import ScanOptions, scan
fewer_collections()
spent = [0.0, 0, 0.0]
inside, paused = [False], [0.0]
def collector(phase, info):
    if phase == "start":
        paused[0] = time.perf_counter()
    elif inside[0]:
        spent[2] += time.perf_counter() - paused[0]
gc.callbacks.append(collector)
evaluate = analyzer.rules.evaluate
def timed(*args, **kwargs):
    start = time.perf_counter()
    inside[0] = True
    try:
        return evaluate(*args, **kwargs)
    finally:
        inside[0] = False
        spent[0] += time.perf_counter() - start
        spent[1] += 1
analyzer.rules.evaluate = timed
start = time.perf_counter()
scan(ScanOptions(paths=[sys.argv[1]]))
print(json.dumps({"scan": time.perf_counter() - start, "evaluate": spent[0], "policies": spent[1],
                  "collector_in_evaluate": spent[2]}))
"""


def policy_share(directory: str) -> dict:
    """How much of one in-process scan evaluating the identity policies takes (issue #12: under 5%)."""
    out = subprocess.run([sys.executable, "-c", POLICY_SHARE, directory], check=True, capture_output=True,
                         text=True, env=CHILD_ENV | {"SESGUARD_CACHE_DIR": str(CACHES / f"share{next(_cache_names)}")})
    found = json.loads(out.stdout)
    found["share"] = found["evaluate"] / found["scan"]
    return found


def case_dense(options, checkov) -> dict:
    result = {}
    points = []
    for size in options.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            generate(pathlib.Path(tmp), size)
            scan = SESGUARD + ["scan", tmp, "--format", "json"]
            entry = {"sesguard": measure(scan, options.runs, before=empty_cache),
                     "sesguard_no_cache": measure(scan + ["--no-cache"], options.runs),
                     "sesguard_warm": measure(scan, options.runs,
                                              before=editor(pathlib.Path(tmp) / "m0000" / "mail" / "main.tf")),
                     **{f"sesguard_jobs{jobs}": measure(scan + ["--jobs", str(jobs)], options.runs, before=empty_cache)
                        for jobs in JOBS}}
            if checkov:
                entry["checkov"] = measure([checkov, "-d", tmp, "--framework", "terraform", "--quiet", "--compact",
                                            "--check", "CKV_AWS_365"], options.checkov_runs, warm_up=False)
            share = policy_share(tmp)
        points.append((size, entry["sesguard"]["median"]))
        result[str(size)] = entry
        result[f"policy_share_{size}"] = share
    result["fit"] = fit(points) if len(points) > 1 else {}
    return result


def case_precommit(options, checkov) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        module = pathlib.Path(tmp) / "infra"
        module.mkdir()
        (module / "main.tf").write_text(MODULE.format(account="111122223333", index=0).replace(
            'variable "domain" {\n  type = string\n}', 'variable "domain" {\n  default = "x.example.com"\n}'))
        for index in range(19):
            (module / f"extra{index:02d}.tf").write_text(
                f'resource "aws_s3_bucket" "b{index}" {{\n  bucket = "bucket-{index}"\n}}\n')
        changed = "infra/main.tf"
        hook = SESGUARD + ["scan", "--changed-only", changed]
        result = {"floor": measure(SESGUARD + ["--version"], options.runs),
                  "sesguard": measure(hook, options.runs, cwd=tmp, before=empty_cache),
                  "sesguard_warm": measure(hook, options.runs, cwd=tmp, before=editor(module / "main.tf")),
                  "sesguard_hit": measure(hook, options.runs, cwd=tmp)}
        if checkov:
            result["checkov"] = measure([checkov, "-f", changed, "--quiet", "--compact"], options.checkov_runs,
                                        cwd=tmp, warm_up=False)
    return result


def case_cloudformation(options, checkov) -> dict:
    corpus = CORPUS / "perf-cfn"
    result = {"sesguard": measure(SESGUARD + ["scan", str(corpus), "--format", "json"], options.runs,
                                  before=empty_cache)}
    if checkov:
        result["checkov"] = measure([checkov, "-d", str(corpus), "--framework", "cloudformation", "--quiet",
                                     "--compact"], options.checkov_runs, warm_up=False)
    return result


def ratio(case: dict, a: str, b: str):
    if a in case and b in case:
        return round(case[a]["median"] / case[b]["median"], 2)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkov-runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,200,400,800")
    parser.add_argument("--json", default="")
    parser.add_argument("--skip-checkov", action="store_true")
    parser.add_argument("--checkov-venv", default=str(pathlib.Path(tempfile.gettempdir()) / "sesguard-bench-checkov"))
    options = parser.parse_args()
    options.sizes = [int(s) for s in options.sizes.split(",") if s]
    checkov = None if options.skip_checkov else checkov_binary(pathlib.Path(options.checkov_venv))
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "monorepo": case_monorepo(options, checkov),
        "dense": case_dense(options, checkov),
        "precommit": case_precommit(options, checkov),
        "cloudformation": case_cloudformation(options, checkov),
    }
    mono, pre, cfn = results["monorepo"], results["precommit"], results["cloudformation"]
    results["ratios"] = {
        "monorepo: checkov / sesguard": ratio(mono, "checkov", "sesguard"),
        "monorepo: sesguard / read": ratio(mono, "sesguard", "read"),
        "monorepo: parse_all / sesguard": ratio(mono, "parse_all", "sesguard"),
        "pre-commit: checkov / sesguard": ratio(pre, "checkov", "sesguard"),
        "pre-commit: sesguard / --version": ratio(pre, "sesguard", "floor"),
        "pre-commit, cache warm, file edited: sesguard / --version": ratio(pre, "sesguard_warm", "floor"),
        "pre-commit, cache warm, nothing changed: sesguard / --version": ratio(pre, "sesguard_hit", "floor"),
        "cloudformation: checkov / sesguard": ratio(cfn, "checkov", "sesguard"),
    }
    for size in options.sizes:
        dense = results["dense"][str(size)]
        results["ratios"][f"dense N={size}: checkov / sesguard"] = ratio(dense, "checkov", "sesguard")
        results["ratios"][f"dense N={size}: warm, one file changed / cold"] = ratio(dense, "sesguard_warm",
                                                                                   "sesguard")
        results["ratios"][f"dense N={size}: cold / --no-cache"] = ratio(dense, "sesguard", "sesguard_no_cache")
        for jobs in JOBS:
            results["ratios"][f"dense N={size}: cold, --jobs {jobs} / one process"] = ratio(
                dense, f"sesguard_jobs{jobs}", "sesguard")
    print(f"{results['date']} on {results['machine']}")
    for name, case in (("monorepo", mono), ("pre-commit", pre), ("cloudformation", cfn)):
        for tool, r in case.items():
            rss = f"{r['peak_rss_mb']:>8.1f} MB" if "peak_rss_mb" in r else ""
            print(f"{name:<15}{tool:<18}{r['median']:>9.3f} s  ({r['min']:.3f}-{r['max']:.3f}){rss}")
    for size in options.sizes:
        share = results["dense"][f"policy_share_{size}"]
        print(f"dense N={size:<6}policy evaluation {share['evaluate']:.3f} s of a {share['scan']:.3f} s scan "
              f"({share['policies']} policies): {share['share'] * 100:.2f}%, of which the collector's pauses "
              f"{share['collector_in_evaluate']:.3f} s")
        for tool, r in results["dense"][str(size)].items():
            print(f"dense N={size:<6}{tool:<18}{r['median']:>9.3f} s  ({r['min']:.3f}-{r['max']:.3f})"
                  f"{r['peak_rss_mb']:>8.1f} MB")
    if results["dense"]["fit"]:
        f = results["dense"]["fit"]
        print(f"dense fit: {f['seconds_per_module'] * 1000:.2f} ms per module, worst deviation "
              f"{f['worst_deviation'] * 100:.1f}%")
    for name, value in results["ratios"].items():
        print(f"{name:<64}{value if value is not None else '-'}")
    if options.json:
        pathlib.Path(options.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
