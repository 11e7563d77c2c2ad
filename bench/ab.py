"""A/B of the load benchmark: two commits, each checked out in a throwaway worktree with its NLU model built as
`make install` builds it, measured alternately (A B A B …) in the same minutes so the machine's drift hits both.

    python bench/ab.py BASE AFTER [--mix openers,full] [--rounds 2] [--seconds 15] [--citizens 50] [--think 0]

Prints one line per run and a table: turns/s, p50/p95/p99, the server's CPU ms per turn (the steadiest figure on a
shared machine) and the 1-minute load average when the run ended. Worktrees go to a temporary folder and are
removed afterwards; the commits may be any revision git knows (a hash, a branch, HEAD~1).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {
    "turns/s": re.compile(r"throughput=(\d+)"),
    "p50": re.compile(r"p50=([\d.]+)"), "p95": re.compile(r"p95=([\d.]+)"), "p99": re.compile(r"p99=([\d.]+)"),
    "cpu ms/turn": re.compile(r"= ([\d.]+) ms per turn"), "load": re.compile(r"load average=([\d.]+)"),
    "rss MB": re.compile(r"rss worker pid \d+: (\d+) MB"),
}


def checkout(rev: str, where: Path) -> Path:
    """A detached worktree of ``rev`` with its NLU model built (else its first start would train)."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(where), rev], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "bot", "nlu", "build"], cwd=where, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return where


def run(root: Path, mix: str, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, str(ROOT / "bench" / "load.py"), "--root", str(root), "--mix", mix,
           "--citizens", str(args.citizens), "--seconds", str(args.seconds), "--think", str(args.think)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    got = {}
    for name, pattern in FIGURES.items():
        m = pattern.findall(out)
        if m:
            got[name] = float(m[-1])
    return got


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("base")
    p.add_argument("after")
    p.add_argument("--mix", default="openers,full")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--citizens", type=int, default=50)
    p.add_argument("--think", type=float, default=0.0)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="motcua-ab-"))
    sides = {"A " + args.base: tmp / "a", "B " + args.after: tmp / "b"}
    try:
        roots = {name: checkout(name[2:], path) for name, path in sides.items()}
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for mix in args.mix.split(","):
            for r in range(args.rounds):
                order = list(roots.items()) if r % 2 == 0 else list(roots.items())[::-1]
                for name, root in order:
                    got = run(root, mix, args)
                    results.setdefault((mix, name), []).append(got)
                    print(f"{mix:8} {name:24} " + "  ".join(f"{k}={v:g}" for k, v in got.items()), flush=True)
        print(f"\n| mix | side | {' | '.join(FIGURES)} |\n|---|---|{'---|' * len(FIGURES)}")
        for (mix, name), runs in results.items():
            cells = []
            for k in FIGURES:
                vals = [r[k] for r in runs if k in r]
                cells.append(" / ".join(f"{v:g}" for v in vals) + (f" (median {statistics.median(vals):g})"
                                                                   if len(vals) > 2 else ""))
            print(f"| {mix} | {name} | {' | '.join(cells)} |")
    finally:
        for path in sides.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        os.environ.get("KEEP_AB") or subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
