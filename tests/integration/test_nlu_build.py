"""`motcua nlu build` (run by `make install` / `make run`) leaves exactly what a worker looks up at start-up, so the
first start after an install loads the model instead of training it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT


def test_nlu_build_prepares_what_the_first_start_loads(tmp_path: Path, monkeypatch: Any) -> None:
    from bot.content.cache import load_content_cached
    from bot.content.knowledge import knowledge_items, labels
    from bot.settings import load_settings
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    cache = tmp_path / "nlu"
    env = {**os.environ, "MOTCUA_NLU__MODEL_CACHE_DIR": str(cache), "MOTCUA_CONTENT__ROOT": str(ROOT)}
    first = subprocess.run([sys.executable, "-m", "bot", "nlu", "build"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "Mô hình NLU và nội dung đã sẵn sàng" in first.stdout
    models = list(cache.glob("nlu-*.pkl"))
    assert len(models) == 1 and list(cache.glob("content-*.pkl"))
    # The worker's lookup (NluService.build → BuiltinParser.cache_path) finds that very file.
    settings = load_settings(None)
    snap = load_content_cached(ROOT, cache)
    ts = default_training_set(knowledge_items(snap), labels(snap))
    assert BuiltinParser.cache_path(ts, cache) == models[0]
    stamp = models[0].stat().st_mtime_ns
    again = subprocess.run([sys.executable, "-m", "bot", "nlu", "build"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0 and models[0].stat().st_mtime_ns == stamp   # current: nothing retrained
    # A worker on the same content finds the model through the build's index, without building the training set.
    import nlu.training
    from bot.runtime.understanding import NluService

    def no_training_set(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the training set was built")

    monkeypatch.setattr(nlu.training, "default_training_set", no_training_set)
    settings.nlu.model_cache_dir = str(cache)
    parser = NluService(settings).build(snap)
    assert parser.parse("tôi muốn làm giấy khai sinh cho con").label == "ho-tich.khai-sinh"
    # An admin-assigned example changes the inputs: the index does not answer, the training set decides.
    from nlu.api import Example

    service = NluService(settings)
    service.extra_examples = (Example("xin giấy chứng sinh", "ho-tich.khai-sinh"),)
    try:
        service.build(snap)
        raise AssertionError("a model was reused for other inputs")
    except AssertionError as exc:
        assert "training set was built" in str(exc)
