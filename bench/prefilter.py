"""How much the pre-filter saves on a monorepo with no SES content.

Measures, in one run on the same machine:
  read   - reading every .tf file under the corpus (the work that cannot be skipped)
  scan   - `sesguard scan CORPUS` as a user runs it (a new process, start to exit)
  floor  - `sesguard --version` (the cost of starting any run)
  parse  - parsing every .tf file with python-hcl2 (what a scanner without a pre-filter pays)

Prints a table and writes it as JSON. Usage:
  python bench/prefilter.py [CORPUS] [--runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "perf"


def tf_files(corpus: pathlib.Path) -> list:
    return sorted(p for p in corpus.rglob("*.tf") if ".terraform" not in p.parts)


def timed(fn, runs: int) -> dict:
    fn()  # warm-up: file cache, parser grammar cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": runs}


def read_all(files):
    def run():
        for path in files:
            path.read_bytes()
    return run


def parse_all(files):
    from hcl2.api import parses_to_tree

    def run():
        for path in files:
            try:
                parses_to_tree(path.read_text(encoding="utf-8"))
            except Exception:  # the corpus holds one file python-hcl2 rejects; count its cost too
                pass
    return run


def command(args):
    def run():
        subprocess.run([sys.executable, "-m", "analyzer"] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parse-runs", type=int, default=1, help="runs of the full parse (slow)")
    parser.add_argument("--json", default="")
    options = parser.parse_args()
    corpus = pathlib.Path(options.corpus).resolve()
    files = tf_files(corpus)
    size = sum(p.stat().st_size for p in files)
    results = {
        "read": timed(read_all(files), options.runs),
        "floor": timed(command(["--version"]), options.runs),
        "scan": timed(command(["scan", str(corpus), "--format", "json"]), options.runs),
        "parse": timed(parse_all(files), options.parse_runs),
    }
    table = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "corpus": str(corpus),
        "files": len(files),
        "bytes": size,
        "seconds": results,
        "ratios": {
            "scan / read": results["scan"]["median"] / results["read"]["median"],
            "scan / floor": results["scan"]["median"] / results["floor"]["median"],
            "parse / scan": results["parse"]["median"] / results["scan"]["median"],
        },
    }
    print(f"{len(files)} files, {size / 1e6:.1f} MB in {corpus}")
    print(f"{'case':<8}{'median s':>10}{'min s':>10}{'max s':>10}")
    for name, r in results.items():
        print(f"{name:<8}{r['median']:>10.3f}{r['min']:>10.3f}{r['max']:>10.3f}")
    for name, ratio in table["ratios"].items():
        print(f"{name:<14}{ratio:>8.1f}x")
    if options.json:
        pathlib.Path(options.json).write_text(json.dumps(table, indent=2) + "\n")


if __name__ == "__main__":
    main()
