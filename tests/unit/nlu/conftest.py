"""A parser trained from the shipped data and the spec names only, so these tests do not
depend on how far the catalog files are written."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from nlu.api import KnowledgeItem, TrainingSet
from nlu.training import default_training_set

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 11, 24)


def spec_training_set(extra: tuple[KnowledgeItem, ...] = ()) -> TrainingSet:
    spec = yaml.safe_load((ROOT / "procedures_catalog" / "_spec.yml").read_text(encoding="utf-8"))
    knowledge = [KnowledgeItem(p["id"], (p["name"],)) for p in spec["procedures"]]
    labels = [p["id"] for p in spec["procedures"]] + [i["id"] for i in spec["intents"]]
    knowledge += extra
    return default_training_set(knowledge, [*labels, *(k.label for k in extra)])


@pytest.fixture(scope="session")
def spec_ts() -> TrainingSet:
    return spec_training_set()


@pytest.fixture(scope="session")
def parser(spec_ts: TrainingSet):  # type: ignore[no-untyped-def]
    from nlu.builtin import BuiltinParser

    return BuiltinParser.train(spec_ts)


@pytest.fixture
def today() -> dt.date:
    return TODAY
