"""Build-speed benchmark for buletin (issue 5), optionally side by side with Pelican and Hugo.

    python bench/run.py                  # 1,000 articles + 100 charts, 5 runs per case
    python bench/run.py --quick          # smoke run: 100 articles, 10 charts, 1 run
    python bench/run.py --runs 3 --peers --workdir /tmp/bench --json bench.json

Every build is a fresh `python build.py --site SITE --out OUT --quiet` subprocess, so import time counts.
Cold runs delete SITE/.buletin-cache and the output first. SOURCE_DATE_EPOCH is fixed so runs are comparable.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus import FULL, QUICK, Corpus, append_word, edit_harga, make_corpus, uses_row, write_site
from measure import BuildFailed, CaseResult, Sample, measure
from peers import Hugo, Pelican
from report import machine, output_stats, ratio_table, results_table

ENGINE = Path(__file__).resolve().parent.parent  # the project root: build.py, and the sample site
CACHE_DIR = ".buletin-cache"
SOURCE_DATE_EPOCH = "1614556800"  # 2021-03-01: after every generated article's date
MEMORY_LIMIT_MB = 300.0
CHART_FILE = re.compile(r"^(?P<key>(?:.*/)?(?:gambar|tabel|figure|table)-\d+)-[0-9a-f]+\.(?P<ext>svg|csv)$")


@dataclass(frozen=True)
class Target:
    text: str
    seconds: float | None = None
    memory: bool = False  # the 300 MB limit applies (the 1,000-article site)


TARGETS = {
    "a": ("cold: no cache, no output", Target("< 15 s, < 300 MB", 15.0, True)),
    "b": ("charts cached, every article edited", Target("< 6 s, < 300 MB", 6.0, True)),
    "c": ("no-op rebuild", Target("< 0.5 s, < 300 MB", 0.5, True)),
    "d": ("one article edited", Target("< 1 s, < 300 MB", 1.0, True)),
    "e": ("one data file edited", Target("only its charts, < 300 MB", None, True)),
    "f1": ("sample site, cold", Target("< 8 s", 8.0)),
    "f2": ("sample site, no-op", Target("< 0.5 s", 0.5)),
}
PEER_CASES = ("a", "b", "c", "d")
# Issue 11's targets, as ratios to a peer built in the same run (absolute times drift between machines):
# case -> (peer, the largest ratio that passes).
RATIO_TARGETS = {"a": ("Pelican", 1.0), "b": ("Pelican", 0.5), "c": ("Hugo", 0.1), "d": ("Hugo", 0.5)}


class Bench:
    """The generated site, its output folder, and how to build and time them."""

    def __init__(self, args: argparse.Namespace, corpus: Corpus, workdir: Path):
        self.args = args
        self.corpus = corpus
        self.site = workdir / "site"
        self.out = workdir / "out"
        self.sample_out = workdir / "sample-out"
        self.env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
        # the worker processes import this engine too, not another buletin installed in the interpreter
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ENGINE), os.environ.get("PYTHONPATH")]))

    def command(self, site: Path, out: Path) -> list[str]:
        return [self.args.python, str(ENGINE / "build.py"), "--site", str(site), "--out", str(out), "--quiet"]

    def build(self, site: Path, out: Path, tree: bool = False) -> Sample:
        return measure(self.command(site, out), self.env, tree=tree)

    def time_runs(self, key: str, site: Path, out: Path, before: Callable[[int], None] | None = None,
                  after: Callable[[int, CaseResult], None] | None = None) -> CaseResult:
        label, target = TARGETS[key]
        result = CaseResult(key, label, target.text)
        try:
            for run in range(self.args.runs):
                if before:
                    before(run)
                result.samples.append(self.build(site, out))
                if after:
                    after(run, result)
            if before:  # one more run, untimed, for the memory of the whole process tree
                before(self.args.runs)
            result.memory = self.build(site, out, tree=True)
        except BuildFailed as exc:
            result.error = str(exc)
        judge(result, target)
        return result


def judge(result: CaseResult, target: Target) -> None:
    """passed: the median beats the time target and (for the big site) peak memory stays under the limit."""
    if not result.error and result.samples:
        if target.seconds is not None and result.median() >= target.seconds:
            result.failures.append("time")
        if target.memory and result.peak_mb() >= MEMORY_LIMIT_MB:
            result.failures.append("memory")
    result.passed = not result.error and not result.failures


def clean(site: Path, out: Path) -> None:
    shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


# ---------------------------------------------------------------- the cases


def case_cold(bench: Bench) -> CaseResult:
    return bench.time_runs("a", bench.site, bench.out, before=lambda run: clean(bench.site, bench.out))


def case_content(bench: Bench) -> CaseResult:
    bench.build(bench.site, bench.out)  # warm: every chart cached

    def edit_all(run: int) -> None:
        for article in bench.corpus.articles:
            append_word(bench.site / article.path, f"revisi{run}")

    return bench.time_runs("b", bench.site, bench.out, before=edit_all)


def case_noop(bench: Bench) -> CaseResult:
    bench.build(bench.site, bench.out)
    return bench.time_runs("c", bench.site, bench.out)


def case_one(bench: Bench) -> CaseResult:
    bench.build(bench.site, bench.out)
    article = bench.site / bench.corpus.articles[len(bench.corpus.articles) // 2].path
    return bench.time_runs("d", bench.site, bench.out, before=lambda run: append_word(article, f"sunting{run}"))


def snapshot(out: Path) -> dict[str, str]:
    """sha256 of every output file, chart files keyed without their content hash (gambar-1, tabel-2)."""
    files = {}
    for path in out.rglob("*"):
        if path.is_file():
            name = path.relative_to(out).as_posix()
            match = CHART_FILE.match(name)
            key = f"{match['key']}.{match['ext']}" if match else name
            files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def chart_keys(corpus: Corpus) -> dict[str, int]:
    """Output key (PERIOD/SLUG/gambar-N) of every chart, to its chart number."""
    keys = {}
    for article in corpus.articles:
        counts = {"gambar": 0, "tabel": 0}
        for chart in article.charts:
            kind = "tabel" if chart.type == "table" else "gambar"
            counts[kind] += 1
            keys[f"{article.period}/{article.slug}/{kind}-{counts[kind]}"] = chart.number
    return keys


def case_data(bench: Bench) -> CaseResult:
    """Edit one row of the smaller dataset; check that exactly the charts over that row change."""
    corpus, row = bench.corpus, bench.corpus.edited_row
    bench.build(bench.site, bench.out)
    keys = chart_keys(corpus)
    expected = {c.number for c in corpus.charts if uses_row(c, row)}
    state: dict[str, dict[str, str]] = {}

    def edit(run: int) -> None:
        state["before"] = snapshot(bench.out)
        edit_harga(bench.site, row, run)

    def check(run: int, result: CaseResult) -> None:
        diff = changed(state["before"], snapshot(bench.out))
        svgs = {k for k in diff if k.endswith(".svg")}
        charts = {keys[k.rsplit(".", 1)[0]] for k in diff if k.rsplit(".", 1)[0] in keys}
        unexpected, missed = charts - expected, expected - charts
        pages = sorted(k for k in diff if k.endswith(".html"))
        result.notes = [f"edited harga {row['periode']} {row['komoditas']}: {len(svgs)} chart SVGs changed, "
                        f"{len(charts)} charts changed (expected {len(expected)} of "
                        f"{sum(c.dataset == 'harga' for c in corpus.charts)} harga charts, {len(corpus.charts)} "
                        f"in all); unexpected {sorted(unexpected)}, missed {sorted(missed)}",
                        f"{len(pages)} HTML pages changed: {', '.join(pages[:8])}{' ...' if len(pages) > 8 else ''}",
                        f"{len(diff)} output files changed in all"]
        if (unexpected or missed) and "charts" not in result.failures:
            result.failures.append("charts")

    return bench.time_runs("e", bench.site, bench.out, before=edit, after=check)


def case_sample_cold(bench: Bench) -> CaseResult:
    return bench.time_runs("f1", ENGINE, bench.sample_out, before=lambda run: clean(ENGINE, bench.sample_out))


def case_sample_noop(bench: Bench) -> CaseResult:
    bench.build(ENGINE, bench.sample_out)
    return bench.time_runs("f2", ENGINE, bench.sample_out)


CASES = {"a": case_cold, "b": case_content, "c": case_noop, "d": case_one, "e": case_data,
         "f1": case_sample_cold, "f2": case_sample_noop}


# ---------------------------------------------------------------- peers


def run_peer(peer: Pelican | Hugo, corpus: Corpus, runs: int) -> dict[str, object]:
    """The peer's medians for cold, every article edited, no-op, one article edited."""
    reason = peer.available()
    if reason:
        return {"name": peer.name, "skipped": reason}
    print(f"{peer.name}: {peer.version()}", flush=True)
    peer.write(corpus)
    one = peer.article_path(corpus.articles[len(corpus.articles) // 2])

    def edit_all(run: int) -> None:
        for article in corpus.articles:
            append_word(peer.article_path(article), f"revisi{run}")

    edits: dict[str, Callable[[int], None]] = {
        "a": lambda run: peer.clean(),
        "b": edit_all,
        "c": lambda run: None,
        "d": lambda run: append_word(one, f"sunting{run}"),
    }
    result: dict[str, object] = {"name": peer.name, "version": peer.version(), "cases": {}}
    for key in PEER_CASES:
        try:
            if key != "a":
                measure(peer.command())  # warm
            samples = []
            for run in range(runs):
                edits[key](run)
                samples.append(measure(peer.command()))
        except BuildFailed as exc:
            print(f"  {peer.name} failed: {exc}", flush=True)
            return {**result, "skipped": "build failed"}
        result["cases"][key] = [asdict(s) for s in samples]
        print(f"  {peer.name} {TARGETS[key][0]}: median {statistics.median(s.seconds for s in samples):.2f} s",
              flush=True)
    return result


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="timed runs per case (default 5; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 articles, 10 charts, 1 run")
    parser.add_argument("--workdir", type=Path, help="keep the generated sites here (default: a temp folder)")
    parser.add_argument("--json", type=Path, help="write the raw results to this file")
    parser.add_argument("--peers", action="store_true", help="also build the articles with Pelican and Hugo")
    parser.add_argument("--cases", default=",".join(CASES), help="which cases (default: all): a,b,c,d,e,f1,f2")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs build.py")
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 5)
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    return args


def run_cases(bench: Bench) -> list[CaseResult]:
    results = []
    for key in bench.args.cases:
        print(f"({key}) {TARGETS[key][0]} ...", flush=True)
        try:
            result = CASES[key](bench)
        except BuildFailed as exc:  # a warm-up build failed
            result = CaseResult(key, TARGETS[key][0], TARGETS[key][1].text, passed=False, error=str(exc))
        result.load = os.getloadavg()[0]
        if result.error:
            print(f"    build failed: {result.error}", flush=True)
        for note in result.notes:
            print(f"    {note}", flush=True)
        if key == "a" and not result.error:
            print(f"    {output_stats(bench.out)}", flush=True)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="buletin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(QUICK if args.quick else FULL, args.seed)
    bench = Bench(args, corpus, workdir)
    subprocess.run([args.python, "-m", "compileall", "-q", str(ENGINE / "buletin")], check=True)  # as pip does
    clean(bench.site, bench.out)
    shutil.rmtree(bench.site, ignore_errors=True)
    write_site(corpus, bench.site, args.seed)
    info = machine(ENGINE)
    print(f"buletin benchmark, {dt.date.today()}: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, "
          f"Python {info['python']}, engine {info['engine_commit']}, load average {info['load_average_at_start']}")
    if info["load_average_at_start"] > (os.cpu_count() or 1) / 2:
        print("warning: the machine is busy with other work; timings will be slower and noisier")
    print(f"corpus: {len(corpus.articles)} articles ({corpus.words() // len(corpus.articles)} words each on "
          f"average), {len(corpus.charts)} charts, {args.runs} run(s) per case; work folder {workdir}")
    try:
        results = run_cases(bench)
        peers = []
        if args.peers:
            for peer in (Pelican(workdir / "peers" / "pelican"), Hugo(workdir / "peers" / "hugo")):
                peers.append(run_peer(peer, corpus, args.runs))
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(results_table(results))
    print(f"memory: the larger of the peak RSS of one process and the peak PSS of the whole process tree "
          f"must stay under {MEMORY_LIMIT_MB:.0f} MB; the tree is sampled in one extra, untimed run per case, "
          "as sampling slows the build it watches")
    if args.quick:
        print("(quick corpus: the targets are set for the full 1,000-article corpus)")
    if peers:
        print()
        print(ratio_table(results, peers, {key: TARGETS[key][0] for key in PEER_CASES}, RATIO_TARGETS))
    if args.json:
        document = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": info,
                    "corpus": {"articles": len(corpus.articles), "charts": len(corpus.charts),
                               "words": corpus.words(), "seed": args.seed, "quick": args.quick},
                    "runs": args.runs, "cases": [asdict(r) for r in results], "peers": peers}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
