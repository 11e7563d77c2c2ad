"""A citizen's message an admin labelled as a training example is their words: once their data is erased, the NLU
retrains without it and no cached model on disk still holds it (the model file keeps its vocabulary)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.admin.misses import forget_erased_examples
from bot.runtime.content import ContentStore
from bot.runtime.understanding import NluService
from nlu.api import Example
from tests.conftest import make_settings

WORD = "quytxyzdacbiet"   # a made-up word only this citizen's message contains


class Labelled:
    """The labelled examples as the database holds them (``Misses.examples``)."""

    def __init__(self, examples: list[Example]):
        self.rows = examples

    async def examples(self) -> list[Example]:
        return list(self.rows)


def _files_with(cache: Path, word: str) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.is_file() and word.encode() in p.read_bytes())


async def test_an_erased_labelled_message_leaves_no_model_on_disk(tmp_path: Path, content: Any) -> None:
    settings = make_settings("sqlite+aiosqlite://", nlu__model_cache_dir=str(tmp_path / "nlu"),
                             nlu__train_apart=False)
    nlu = NluService(settings)
    store = ContentStore(content)
    mine = Example(text=f"tôi là {WORD} muốn đăng ký khai sinh cho con", label="ho-tich.khai-sinh", style="admin")
    labelled = Labelled([mine, Example(text="xin giấy xác nhận độc thân", label="ho-tich.xac-nhan-tinh-trang-hon-nhan",
                                       style="admin")])
    nlu.extra_examples = tuple(await labelled.examples())
    await nlu.start(store.current)                                      # trained with the labelled messages
    cache = tmp_path / "nlu"
    assert _files_with(cache, WORD), "the model trained with the example should hold its words"
    assert not await forget_erased_examples(nlu, labelled, store)      # nothing erased: no retrain

    labelled.rows = labelled.rows[1:]                                   # the citizen's erasure deleted the row
    assert await forget_erased_examples(nlu, labelled, store)
    assert nlu.extra_examples == tuple(labelled.rows)
    assert _files_with(cache, WORD) == []                               # no file on disk keeps the erased words
    assert (await nlu.aparse("tôi muốn làm giấy khai sinh cho con", None)).label == "ho-tich.khai-sinh"
    assert list(cache.glob("nlu-*.pkl")), "the model serving now stays cached"
