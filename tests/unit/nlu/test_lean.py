"""The numpy inference form gives what scikit-learn gives, and a cached model loads without scikit-learn."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.lean import Columns, LeanTfidf

CORPUS = ["tôi muốn làm giấy khai sinh cho con", "lam giay khai sinh cho be", "đăng ký kết hôn cần gì",
          "xin giấy xác nhận tình trạng hôn nhân", "cấp đổi thẻ căn cước công dân", "sổ đỏ đất ở lần đầu",
          "chứng thực bản sao  sổ hộ khẩu", "a b c", "x"]
_text = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãếềểễệ ", max_size=60)


def _vectorizers() -> list:  # type: ignore[type-arg]
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, dtype=np.float32),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                        dtype=np.float32),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), binary=True, norm="l1", dtype=np.float32),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), binary=True, norm="l1", token_pattern=r"\S+",
                        dtype=np.float32),
    ]


FITTED = [v.fit(CORPUS) for v in _vectorizers()]
LEAN = [LeanTfidf.of(v) for v in FITTED]


@settings(max_examples=200, deadline=None)
@given(_text)
def test_a_message_gets_the_same_features_and_weights(text: str) -> None:
    for vec, lean in zip(FITTED, LEAN):
        want = vec.transform([text]).toarray().ravel()
        idx, vals = lean.transform(text)
        got = np.zeros(lean.size)
        got[idx] = vals
        assert np.allclose(got, want, atol=1e-6), (vec.analyzer, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 39), max_size=12, unique=True))
def test_column_sums_equal_the_sparse_product(features: list[int]) -> None:
    from scipy import sparse

    rng = np.random.default_rng(7)
    m = sparse.random(25, 40, density=0.2, random_state=3, format="csr")
    cols = Columns.of(m)
    f = np.array(features, dtype=np.int64)
    q = np.zeros(40)
    q[f] = 1.0
    assert np.allclose(cols.weighted_sum(f), m @ q)
    w = rng.random(len(f))
    qw = np.zeros(40)
    qw[f] = w
    pattern = m.copy()
    pattern.data[:] = 1.0
    assert np.allclose(cols.weighted_sum(f, w, pattern=True), pattern @ qw)


def test_an_unsupported_vectorizer_is_refused() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    with pytest.raises(ValueError):
        LeanTfidf.of(TfidfVectorizer(analyzer="char").fit(CORPUS))


def test_a_cached_model_serves_without_importing_scikit_learn(tmp_path: Path, spec_ts) -> None:  # type: ignore[no-untyped-def]
    from nlu.builtin import BuiltinParser, model_version
    from nlu.training import fingerprint

    path = tmp_path / f"nlu-{fingerprint(spec_ts, model_version())}.pkl"
    BuiltinParser.train(spec_ts).save(path)
    code = ("import sys, pickle; m = pickle.load(open(sys.argv[1], 'rb')); "
            "print(m.parse('đăng ký kết hôn').label, 'sklearn' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3]).stdout.split()
    assert out == ["ho-tich.ket-hon", "False", "False"]
