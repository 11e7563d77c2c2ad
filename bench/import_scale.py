"""Scale of the rich import: a commune's list of N procedures (default 2,000) imported into a copy of the content.

Measures: import time of the CSV; content load time; NLU training time and parse latency (p50/p99) over the
imported names; start-up of `motcua run` on that content (cold: model trains; warm: cached model) and the worker's
RSS when ready; and what identification does with the names of similar procedures (clarify vs guess).

    python bench/import_scale.py [--rows 2000] [--runs 2]

Synthetic rows: acts × objects × qualifiers from the NLU benchmark's vocabulary, each a full record (documents,
fee, time, authority), plus the shipped sample's real rows and three look-alike birth registration names.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, free_port, rss_mb, wait_ready  # noqa: E402
from nlu_bench import _ACTS, _OBJECTS  # noqa: E402

sys.path.insert(0, str(ROOT))
_QUALIFIERS = ("", " cho hộ gia đình", " cho tổ chức", " trường hợp bị mất, hỏng")
HEADER = ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cơ quan thực hiện", "Cách thức thực hiện", "Thành phần hồ sơ",
          "Thời hạn giải quyết", "Phí, lệ phí"]
LOOKALIKES = [("9.100001", "Đăng ký khai sinh lưu động"), ("9.100002", "Đăng ký lại khai sinh có yếu tố nước ngoài"),
              ("9.100003", "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân")]


def write_list(path: Path, rows: int) -> None:
    """A province-shaped CSV of ``rows`` full records."""
    names = (f"{a} {o}{q}" for q, a, o in itertools.product(_QUALIFIERS, _ACTS, _OBJECTS))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for code, name in LOOKALIKES:
            w.writerow([code, name, "Hộ tịch", "UBND cấp xã", "Trực tiếp", "- Tờ khai theo mẫu (bản chính)",
                        "03 ngày làm việc", "Miễn lệ phí"])
        for i, name in zip(range(rows - len(LOOKALIKES)), names):
            w.writerow([f"8.{i:06d}", name[0].upper() + name[1:], "Khác", "UBND cấp xã", "Trực tiếp; trực tuyến",
                        "- Đơn đề nghị theo mẫu (bản chính)\n- Giấy tờ chứng minh (bản sao)\n- Văn bản ủy quyền (nếu có)",
                        "10 ngày làm việc", "Không"])


def _env(root: Path, cache: str, db: str) -> dict[str, str]:
    # without PYTHONDONTWRITEBYTECODE (set in some shells): an installed worker starts from .pyc files
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(MOTCUA_DATABASE__URL=f"sqlite+aiosqlite:///{db}", MOTCUA_CONTENT__ROOT=str(root),
               MOTCUA_NLU__MODEL_CACHE_DIR=cache, MOTCUA_LOGGING__LEVEL="ERROR")
    return env


def build(root: Path, cache: str, db: str) -> float:
    """`motcua nlu build` on that content, as `make install` runs it."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "nlu", "build"], cwd=ROOT, env=_env(root, cache, db), check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def start(root: Path, cache: str, db: str) -> tuple[float, float]:
    port = free_port()
    env = _env(root, cache, db)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}", timeout=600))
        return time.perf_counter() - t0, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def identify(content: object, parser: object, text: str) -> str:
    """What the engine does with ``text``: the procedure it starts, or the candidates it offers."""
    from tests.unit.engine.helpers import Chat

    chat = Chat(content)
    chat.say("/start")
    chat.say(text, parser.parse(text, None))
    if chat.state.phase == "clarify":
        return "hỏi lại: " + " | ".join(chat.state.candidates[:3])
    return f"chọn {chat.state.procedure_id}" if chat.state.procedure_id else f"không nhận ra ({chat.state.phase})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--runs", type=int, default=2)
    args = p.parse_args()
    from bot.content.importer import import_file
    from bot.content.knowledge import knowledge_items, labels
    from bot.content.loader import load_content
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    root = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "procedures_catalog", root / "procedures_catalog", ignore=shutil.ignore_patterns("imported"))
    shutil.copytree(ROOT / "flows", root / "flows")
    src = root / "list.csv"
    write_list(src, args.rows)
    t0 = time.perf_counter()
    report = import_file(src, root, dt.date.today())
    print(f"import {len(report.imported)} rows ({len(report.errors)} errors): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    content = load_content(root, require_all=False)
    print(f"load content ({len(content.procedures)} procedures, {len(content.flows)} flows): {time.perf_counter() - t0:.2f} s")
    from bot.content.cache import load_content_cached

    ccache = Path(tempfile.mkdtemp())
    load_content_cached(root, ccache, require_all=False)
    t0 = time.perf_counter()
    load_content_cached(root, ccache, require_all=False)
    print(f"load content from the validated-content cache (warm): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    parser = BuiltinParser.train(default_training_set(knowledge_items(content), labels(content)))
    print(f"NLU training in-process: {time.perf_counter() - t0:.1f} s")
    queries = [f"cho hỏi thủ tục {p.name.lower()}" for p in list(content.procedures.values())[:500]]
    queries += ["đăng ký khai sinh", "làm giấy khai sinh cho con", "lệ phí bao nhiêu"] * 50
    times = []
    for q in queries:
        t0 = time.perf_counter()
        parser.parse(q, None)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"parse p50 {statistics.median(times):.1f} ms, p99 {times[int(len(times) * 0.99)]:.1f} ms ({len(times)} parses)")
    for text in ("đăng ký khai sinh", "đăng ký khai sinh lưu động", "đăng ký lại khai sinh", "khai sinh"):
        print(f"  «{text}» → {identify(content, parser, text)}")
    cache, db = tempfile.mkdtemp(), f"{tempfile.mkdtemp()}/s.sqlite3"
    print(f"motcua nlu build (install time): {build(root, cache, db):.1f} s")
    cold, rss = start(root, cache, db)
    print(f"start-up cold (first run after the build, new database): {cold:.2f} s, RSS {rss:.0f} MB")
    warm = [start(root, cache, db) for _ in range(args.runs)]
    print(f"start-up warm (restart): {' / '.join(f'{w:.2f}' for w, _ in warm)} s, median "
          f"{statistics.median(w for w, _ in warm):.2f} s, RSS {max(r for _, r in warm):.0f} MB "
          f"(load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
