"""What `motcua run` does for a quick start (bot/cli.py): it pauses the cyclic GC while the worker imports and wires
itself up, then freezes what it built and turns the GC back on (``pause_gc`` / ``resume_gc``; no other path may
leave it off), and asks OpenBLAS for one thread unless the operator chose (``single_blas_thread``)."""
from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli import main, pause_gc, resume_gc


@pytest.fixture(autouse=True)
def _gc_restored() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def test_resume_freezes_what_was_built_while_paused_and_turns_the_gc_on() -> None:
    assert pause_gc() is True
    assert not gc.isenabled()
    frozen_before = gc.get_freeze_count()
    built = [{"n": i} for i in range(1000)]   # objects the "start-up" made
    resume_gc(freeze=True)
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(built)


def test_resume_without_freeze_only_turns_the_gc_on() -> None:
    pause_gc()
    frozen_before = gc.get_freeze_count()
    resume_gc(freeze=False)
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before


def test_resume_is_a_no_op_when_nothing_paused_the_gc() -> None:
    frozen_before = gc.get_freeze_count()
    resume_gc(freeze=True)   # e.g. cmd_run called directly: the process's objects are not frozen behind its back
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before


def test_an_early_return_of_run_leaves_the_gc_on(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    assert _early_run(monkeypatch) == 2
    assert gc.isenabled()


def test_another_command_with_run_among_its_arguments_keeps_the_gc_on(monkeypatch: Any) -> None:
    seen: list[bool] = []

    def validate(_args: Any) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr("bot.cli.cmd_validate", validate)
    main(["validate", "--root", "run"])
    assert seen == [True] and gc.isenabled()


def _early_run(monkeypatch: Any) -> int:
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__ENABLED", "true")
    monkeypatch.setenv("MOTCUA_CHANNELS__TELEGRAM__MODE", "polling")
    return main(["run", "--workers", "2", "--no-migrate"])   # refused before it serves anything


def test_run_asks_openblas_for_one_thread(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert _early_run(monkeypatch) == 2
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"


def test_the_operators_openblas_threads_win(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert _early_run(monkeypatch) == 2
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
