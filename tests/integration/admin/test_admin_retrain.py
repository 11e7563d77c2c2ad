"""A publish retrains the NLU in the background; the old model serves meanwhile, the new one within seconds."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.admin.versions import ContentVersions, build_snapshot
from tests.unit.admin.conftest import ROOT


async def test_publish_retrains_and_new_model_serves(services: Any, engine: Any) -> None:
    from bot.admin.versions import folder_files

    live = services.content.current
    files = folder_files(ROOT)
    every = all(s.id in live.procedures for s in live.spec if s.kind == "procedure")
    versions = ContentVersions(engine, services.content, services.pubsub, ROOT, require_all=every)
    build_snapshot(files, live.spec, require_all=every)   # shipped files are valid as they are
    old_parser = services.nlu._parser
    t0 = time.perf_counter()
    await versions.publish(files, "an", "xuất bản lại")
    assert services.nlu._training is not None
    # Turns keep being understood by the old model while training runs.
    u = await services.nlu.aparse("tôi muốn đăng ký khai sinh cho con", None)
    assert u.text
    await asyncio.wait_for(services.nlu._training, 120)
    seconds = time.perf_counter() - t0
    print(f"\npublish → new NLU model serving: {seconds:.2f} s (train {services.nlu.last_train_seconds:.2f} s)")
    assert services.nlu._parser is not old_parser, "a freshly trained model serves"
    assert services.nlu.model_version == services.content.current.version
    u = await services.nlu.aparse("tôi muốn đăng ký khai sinh cho con", None)
    assert u.label == "ho-tich.khai-sinh"
