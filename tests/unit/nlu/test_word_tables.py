"""The one-pass inference (``nlu.lean.WordTables``) gives what the feature-by-feature ``LeanTfidf`` path gives
(which ``test_lean.py`` holds to scikit-learn), on every message the tests and benches know: same ranking order,
confidences equal within 1e-6."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.api import KnowledgeItem, ParseContext
from nlu.builtin import BuiltinParser
from nlu.lean import LeanTfidf, WordTables
from nlu.normalize import normalize

from .conftest import TODAY, spec_training_set

ROOT = Path(__file__).resolve().parents[3]
DEV = Path("/work/shared/spec/nlu-dev.jsonl")   # the spec's dev set, where this machine has it
ODD = ["", " ", "???", "\x00\x01", "😀😀😀", "ok", "k", "karaoke", "xyzzy qwerty plugh", "a" * 300,
       "đăng ký kết hôn " * 40, "ĐĂNG KÝ KẾT HÔN", "İstanbul ǅ ﬁ", "tôi  muốn\tlàm\n\ngiấy khai sinh",
       "Nhà tôi bị lũ cuốn mất giấy kết hôn. Tôi cần xin lại một bản sao.", "xin giấy phép mở quán karaoke",
       "dduwowjc khoong", "cho e gặp cb tư pháp vs", "tạmm biệtt", "0912345678 ngày 12/3/2020"]


def _jsonl(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line.strip()]


def _messages() -> list[str]:
    texts = list(ODD)
    for path in [DEV, *sorted((ROOT / "nlu" / "data" / "heldout").glob("*.jsonl")),
                 ROOT / "tests" / "unit" / "nlu" / "data" / "unseen_phrasings.jsonl"]:
        if path.exists():
            texts += _jsonl(path)
    return texts


def _reference(parser: BuiltinParser) -> BuiltinParser:
    """The same model, served feature by feature (the code before ``WordTables``)."""
    ref = copy.copy(parser)
    ref._tables = None
    ref._shortcut = False
    return ref


def _assert_same(fast: BuiltinParser, ref: BuiltinParser, texts: Iterator[str] | list[str],
                 context: ParseContext | None = None) -> int:
    n = 0
    for text in texts:
        a, b = fast.parse(text, context), ref.parse(text, context)
        assert [c.label for c in a.ranking] == [c.label for c in b.ranking], text
        assert max(abs(x.confidence - y.confidence) for x, y in zip(a.ranking, b.ranking)) <= 1e-6, text
        assert a.entities == b.entities
        norm = normalize(text)
        for got, want in zip(fast.retrieval(norm.folded), ref.retrieval(norm.folded)):
            assert np.allclose(got, want, rtol=0, atol=1e-12), text
        assert np.allclose(fast._logits(norm), ref._logits(norm), rtol=0, atol=1e-9), text
        n += 1
    return n


def test_the_shipped_model_ranks_every_known_message_as_before(parser: BuiltinParser) -> None:
    assert parser._tables is not None and parser._shortcut
    texts = _messages()
    assert _assert_same(parser, _reference(parser), texts) >= 250
    ctx = ParseContext(procedure_id="ho-tich.khai-sinh", expecting="yes_no", today=TODAY)
    _assert_same(parser, _reference(parser), texts[:80], ctx)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãếềểễệìíộồờớ .,?AĐK0123", max_size=80))
def test_any_text_ranks_as_before(parser: BuiltinParser, text: str) -> None:
    _assert_same(parser, _reference(parser), [text])


def test_catalog_only_and_novel_words_rank_as_before(spec_ts) -> None:  # type: ignore[no-untyped-def]
    imported = KnowledgeItem("quoc-gia.karaoke", ("Cấp giấy phép kinh doanh dịch vụ karaoke",),
                             ("Đơn đề nghị cấp giấy phép kinh doanh karaoke",))
    p = BuiltinParser.train(spec_training_set((imported,)), without=("cong-thuong.ban-le-thuoc-la",))
    assert p._tables is not None and p._tables.novel and p._unseen_pos.size
    texts = ["tôi muốn xin giấy phép mở quán karaoke", "cấp giấy phép bán lẻ sản phẩm thuốc lá cho cửa hàng",
             "karaoke thuốc lá", "làm giấy khai sinh cho con", *ODD, *_messages()[:60]]
    _assert_same(p, _reference(p), texts)


# ---------------------------------------------------------------- the tables against scikit-learn itself

CORPUS = ["tôi muốn làm giấy khai sinh cho con", "lam giay khai sinh cho be", "đăng ký kết hôn cần gì",
          "xin giấy xác nhận tình trạng hôn nhân", "cấp đổi thẻ căn cước công dân", "sổ đỏ đất ở lần đầu",
          "chứng thực bản sao  sổ hộ khẩu", "a b c", "x", "khai sinh khai sinh"]


@pytest.fixture(scope="module")
def small() -> tuple[list, tuple[LeanTfidf, ...], WordTables]:  # type: ignore[type-arg]
    from sklearn.feature_extraction.text import TfidfVectorizer

    vecs = [TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                            dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                            dtype=np.float32)]
    norm = [normalize(t) for t in CORPUS]
    vecs[0].fit([n.folded for n in norm])
    vecs[1].fit([n.accented for n in norm])
    vecs[2].fit([n.folded for n in norm])
    lean = tuple(LeanTfidf.of(v) for v in vecs)
    offsets = (0, lean[0].size, lean[0].size + lean[1].size)
    tables = WordTables.build(lean, offsets, None, None, None)
    assert tables is not None
    return vecs, lean, tables


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãếềểễệ ", max_size=60))
def test_table_features_are_scikit_learns(small, text: str) -> None:  # type: ignore[no-untyped-def]
    vecs, _, tables = small
    n = normalize(text)
    want = np.concatenate([vecs[0].transform([n.folded]).toarray().ravel(),
                           vecs[1].transform([n.accented]).toarray().ravel(),
                           vecs[2].transform([n.folded]).toarray().ravel()])
    idx, vals, _ = tables.features(n.accented, n.folded)
    got = np.zeros(want.size)
    got[idx] = vals
    assert np.allclose(got, want, rtol=0, atol=1e-6), text


def test_context_biases_are_the_old_per_label_sums(parser: BuiltinParser) -> None:
    s = parser.settings
    rng = np.random.default_rng(3)
    for text in ("có", "đúng rồi ạ", "cho tôi hỏi lệ phí làm giấy khai sinh là bao nhiêu vậy ạ"):
        folded = normalize(text).folded
        for ctx in (ParseContext(), ParseContext(expecting="yes_no"), ParseContext(procedure_id="ho-tich.khai-sinh"),
                    ParseContext(procedure_id="ho-tich.khai-tu", expecting="yes_no"),
                    ParseContext(procedure_id="ask_fee", expecting="choice"), ParseContext(procedure_id="nope")):
            z = rng.normal(size=len(parser.labels))
            want = z.copy()
            if ctx.expecting == "yes_no" and len(folded.split()) <= 5:   # the code before, label by label
                for lab in ("affirm", "deny"):
                    want[parser._intent_pos[lab]] += s.yes_no_bias
            if ctx.procedure_id:
                for lab in ("ask_fee", "ask_duration", "ask_where"):
                    want[parser._intent_pos[lab]] += s.follow_up_bias
                pos = parser._index.get(ctx.procedure_id)
                if pos is not None:
                    want[pos] += 0.5 * s.follow_up_bias
            parser._apply_context(z, folded, ctx)
            assert np.array_equal(z, want), (text, ctx)
