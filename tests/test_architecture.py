"""The arrows of the architecture hold: the engine is pure, nlu never imports bot (import-linter contracts)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def _copy_code(tmp_path: Path) -> None:
    """The code and its contracts, without data, for a probe to break."""
    keep = shutil.ignore_patterns("__pycache__", "data", "templates", "static", "migrations", "*.joblib")
    for pkg in ("bot", "nlu"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=keep)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)


def test_import_contracts_are_kept() -> None:
    res = _lint_imports(ROOT)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]


def test_the_contracts_refuse_io_in_the_engine_and_storage_in_a_channel(tmp_path: Path) -> None:
    """A copy of the code with an engine module that reads YAML, awaits asyncio and loads content from disk, and
    a channel that opens the repository: every one of those imports is named as a breach."""
    _copy_code(tmp_path)
    (tmp_path / "bot" / "engine" / "probe.py").write_text("import asyncio\nimport yaml\nimport bot.content.loader\n")
    (tmp_path / "bot" / "channels" / "probe.py").write_text("import bot.storage.repo\n")
    res = _lint_imports(tmp_path)
    out = res.stdout
    assert res.returncode != 0
    for breach in ("bot.engine is not allowed to import asyncio", "bot.engine is not allowed to import yaml",
                   "bot.engine is not allowed to import bot.content.loader",
                   "bot.channels is not allowed to import bot.storage"):
        assert breach in out, out[-3000:]
    assert "bot.engine.probe -> asyncio" in out and "bot.channels.probe -> bot.storage.repo" in out, out[-3000:]



def test_the_contracts_refuse_an_import_cycle_even_inside_a_function(tmp_path: Path) -> None:
    """The two cycles issue 15 broke, put back as imports inside a function (where they used to hide): the
    acyclic contract names both."""
    _copy_code(tmp_path)
    with (tmp_path / "bot" / "engine" / "flowrun.py").open("a") as f:
        f.write("\n\ndef _probe() -> None:\n    from bot.engine.identify import start_procedure  # noqa: F401\n")
    with (tmp_path / "nlu" / "fields" / "base.py").open("a") as f:
        f.write("\n\ndef _probe() -> None:\n    import nlu.entities  # noqa: F401\n")
    res = _lint_imports(tmp_path)
    out = res.stdout
    assert res.returncode != 0
    assert "No cycles are allowed in bot.engine." in out and ".identify -> .flowrun" in out, out[-3000:]
    assert "No cycles are allowed in nlu." in out and ".fields -> .entities" in out, out[-3000:]


def test_nothing_in_nlu_reads_the_day_from_the_clock() -> None:
    """The NLU reads dates against the day its caller passes (`ParseContext.today`, ``today=``): the same message
    gives the same answer in a test, a replay or a worker in another time zone. Timing a training run is fine."""
    import re

    clock = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.(?:time|localtime|gmtime)\(")
    readers = [f"{p.relative_to(ROOT)}:{i}" for p in sorted((ROOT / "nlu").rglob("*.py"))
               for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if clock.search(line)]
    assert readers == []
