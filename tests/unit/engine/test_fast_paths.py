"""The engine's hot helpers have fast paths (a translate table for `fold`, a generated `replace` for the state):
they must give exactly what their plain definitions give."""
from __future__ import annotations

import dataclasses
import random
import unicodedata

import pytest

from bot.engine.messages import Button, Text
from bot.engine.state import ConversationState, Pending, PendingKind, Position, replace
from bot.engine.text import _slow_fold, clean, fold

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
POOLS = [
    VIET + VIET.upper() + " ,.!?/-_'\"\t\n0123456789",
    "".join(map(chr, range(0x250))),                      # ASCII, controls, Latin-1, Latin Extended-A/B
    "".join(map(chr, range(0x300, 0x370))),               # combining marks
    "".join(map(chr, range(0x1E00, 0x1F00))),             # Latin Extended Additional (Vietnamese)
    "ǅǆſıİẞßÆæŒœĲĳ\u00a0\u2003\u2028\u200b\ufeff\u0344\u0340",
    "".join(map(chr, range(0x370, 0x3000, 7))),           # Greek, Cyrillic, Indic, punctuation…
    "\uac00\uac01\u1100\u1161\U0001D165\U0001D166\U0001D16E",  # Hangul, musical marks (reordered by NFD)
]


def _samples(n: int) -> list[str]:
    rnd = random.Random(23)
    out = ["Đã có!", "tôi muốn làm giấy khai sinh cho con", "mk mún lm gks", "  Xin   chào\tbạn  ", "", "Ａ１", "ﬁ"]
    for _ in range(n):
        pools = rnd.sample(POOLS, rnd.randrange(1, 3))
        text = "".join(rnd.choice(rnd.choice(pools)) for _ in range(rnd.randrange(1, 30)))
        out += [text, unicodedata.normalize(rnd.choice(("NFC", "NFD", "NFKC", "NFKD")), text)]
    return out


def test_fold_matches_its_definition() -> None:
    for text in _samples(20_000):
        assert fold(text) == _slow_fold(text), repr(text)


def _slow_clean(text: str, limit: int = 4000) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


def test_clean_matches_its_definition() -> None:
    for text in _samples(5_000) + ["a\x00b", "dòng 1\ndòng 2\t", "\u200bẩn\u200e", "x" * 5000]:
        assert clean(text) == _slow_clean(text), repr(text)


def test_replace_of_a_state_is_dataclasses_replace() -> None:
    p = Pending(PendingKind.FIELD, "child_name", (Button("Bỏ qua", "/boqua"),))
    state = ConversationState(welcomed=True, procedure_id="ho-tich.khai-sinh", fields=(("a", "b"),), pending=p)
    for changes in ({}, {"pending": None}, {"mode": "human", "agent": "An"}, {"history": (state.position(),)},
                    {f.name: getattr(ConversationState(), f.name) for f in dataclasses.fields(ConversationState)}):
        got, want = replace(state, **changes), dataclasses.replace(state, **changes)
        assert got == want and type(got) is ConversationState
        assert got.position() == want.position() and got.position() == Position(
            **{f.name: getattr(want, f.name) for f in dataclasses.fields(Position)})
    with pytest.raises(TypeError):
        replace(state, no_such_field=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        replace(state).mode = "human"  # type: ignore[misc]
    assert replace(Text("a"), text="b") == Text("b")   # any other dataclass: dataclasses.replace
