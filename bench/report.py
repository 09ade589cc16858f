"""Printing the benchmark: machine facts, the results table, the ratios to peers, output sizes."""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path

from measure import CaseResult


def peer_median(peer: dict[str, object], key: str) -> float | None:
    samples = peer.get("cases", {}).get(key)
    return statistics.median(s["seconds"] for s in samples) if samples else None


def machine(engine: Path) -> dict[str, object]:
    """CPU, cores, memory, OS, Python, the engine's commit, and how busy the machine is."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    commit = subprocess.run(["git", "-C", str(engine), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(engine), "status", "--porcelain", "buletin"], capture_output=True,
                           text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(memory) / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "engine_commit": commit + ("+uncommitted changes" if dirty else ""),
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def results_table(results: list[CaseResult]) -> str:
    rows = [["case", "median s", "min", "max", "peak RSS MB", "tree PSS MB", "load", "target", "result"]]
    for r in results:
        verdict = "ERROR" if r.error else ("pass" if r.passed else f"FAIL ({', '.join(r.failures)})")
        if not r.samples:
            rows.append([f"({r.key}) {r.label}", "-", "-", "-", "-", "-", f"{r.load:.1f}", r.target, verdict])
            continue
        rows.append([f"({r.key}) {r.label}", f"{r.median():.2f}", f"{min(r.seconds()):.2f}",
                     f"{max(r.seconds()):.2f}", f"{max(s.rss_mb for s in _all(r)):.0f}",
                     f"{max(s.tree_mb for s in _all(r)):.0f}", f"{r.load:.1f}", r.target, verdict])
    return table(rows)


def ratio_table(results: list[CaseResult], peers: list[dict[str, object]], labels: dict[str, str],
                targets: dict[str, tuple[str, float]]) -> str:
    """buletin's median against each peer's, per case in `labels` (case key -> label), judged against
    `targets` (case key -> (peer name, the largest ratio that passes))."""
    header = ["case", "buletin s"]
    for peer in peers:
        header += [f"{peer['name']} s", f"buletin/{peer['name']}"]
    rows = [[*header, "target", "result"]]
    ours = {r.key: r for r in results}
    for key, label in labels.items():
        mine = ours[key].median() if key in ours else None
        row = [label, f"{mine:.2f}" if mine is not None else "-"]
        ratios: dict[str, float] = {}
        for peer in peers:
            theirs = peer_median(peer, key)
            if theirs is None:
                row += [str(peer.get("skipped", "-")), "-"]
            else:
                row += [f"{theirs:.2f}", f"{mine / theirs:.2f}" if mine is not None else "-"]
                if mine is not None:
                    ratios[str(peer["name"])] = mine / theirs
        name, limit = targets[key]
        ratio = ratios.get(name)
        verdict = "-" if ratio is None else ("pass" if ratio <= limit else "FAIL")
        rows.append([*row, f"<= {limit:g}x {name}", verdict])
    return table(rows)


def output_stats(out: Path) -> str:
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files) / 1024 / 1024
    svgs = [p for p in files if p.suffix == ".svg"]
    return (f"output: {len(files)} files, {size:.1f} MB ({len(svgs)} SVG, "
            f"{sum(p.stat().st_size for p in svgs) / 1024 / 1024:.1f} MB; "
            f"{sum(1 for p in files if p.suffix == '.html')} HTML)")


def _all(result):
    """The timed runs and the run that sampled memory."""
    return [*result.samples, *([result.memory] if result.memory else [])]
