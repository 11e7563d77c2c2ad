"""The trained model's inference, in numpy only.

scikit-learn and SciPy are needed to *train* (a few seconds, at start-up when the cache is cold or after a
publish); a worker that loads a cached model needs only what a fitted ``TfidfVectorizer`` does to one message
and a few column sums of sparse matrices. Importing scikit-learn for that cost each worker ~100 MB of memory
and ~0.6 s of start-up, so the fitted objects are turned into these plain arrays after training.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class LeanTfidf:
    """A fitted ``TfidfVectorizer``'s transform of one document (char_wb or word n-grams, idf, sublinear tf,
    binary, l1/l2 norm), reproducing scikit-learn's analyzers exactly."""

    analyzer: str
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: re.Pattern[str] | None
    binary: bool
    sublinear_tf: bool
    norm: str | None
    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def of(cls, vec: Any) -> LeanTfidf:
        if vec.analyzer not in ("char_wb", "word") or vec.preprocessor is not None or vec.tokenizer is not None \
                or vec.strip_accents is not None or vec.stop_words is not None or not vec.use_idf:
            raise ValueError("only the vectorizer settings the built-in parser uses are supported")
        pattern = re.compile(vec.token_pattern) if vec.analyzer == "word" else None
        return cls(vec.analyzer, tuple(vec.ngram_range), bool(vec.lowercase), pattern, bool(vec.binary),
                   bool(vec.sublinear_tf), vec.norm, {str(k): int(v) for k, v in vec.vocabulary_.items()},
                   np.asarray(vec.idf_, dtype=np.float64))

    @property
    def size(self) -> int:
        return len(self.idf)

    def terms(self, doc: str) -> list[str]:
        if self.lowercase:
            doc = doc.lower()
        lo, hi = self.ngram_range
        out: list[str] = []
        if self.analyzer == "char_wb":
            for w in _WHITE_SPACES.sub(" ", doc).split():
                w = " " + w + " "
                w_len = len(w)
                for n in range(lo, hi + 1):
                    offset = 0
                    out.append(w[offset:offset + n])
                    while offset + n < w_len:
                        offset += 1
                        out.append(w[offset:offset + n])
                    if offset == 0:
                        break
            return out
        assert self.token_pattern is not None
        tokens = self.token_pattern.findall(doc)
        if hi == 1:
            return tokens
        out = list(tokens) if lo == 1 else []
        start = max(lo, 2)
        for n in range(start, min(hi + 1, len(tokens) + 1)):
            for i in range(len(tokens) - n + 1):
                out.append(" ".join(tokens[i:i + n]))
        return out

    def transform(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, tf-idf values) of ``doc``: the non-zero entries of its row."""
        counts: dict[int, int] = {}
        vocab = self.vocabulary
        for t in self.terms(doc):
            j = vocab.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.binary:
            vals[:] = 1.0
        if self.sublinear_tf:
            vals = np.log(vals) + 1.0
        vals *= self.idf[idx]
        if self.norm == "l2":
            total = float(np.sqrt(np.dot(vals, vals)))
        elif self.norm == "l1":
            total = float(np.abs(vals).sum())
        else:
            total = 0.0
        if total > 0.0:
            vals /= total
        return idx, vals


@dataclass(frozen=True)
class Columns:
    """A sparse rows × features matrix stored by column, for "sum these columns" (matrix @ indicator)."""

    n_rows: int
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @classmethod
    def of(cls, matrix: Any) -> Columns:
        csc = matrix.tocsc()
        csc.sort_indices()
        return cls(int(csc.shape[0]), np.asarray(csc.indptr, dtype=np.int64),
                   np.asarray(csc.indices, dtype=np.int64), np.asarray(csc.data, dtype=np.float64))

    def weighted_sum(self, features: np.ndarray, weights: np.ndarray | None = None, *,
                     pattern: bool = False) -> np.ndarray:
        """Per row: Σ over ``features`` of matrix[row, f] × weights[f] (weights default to 1), i.e. the product
        with a sparse column; with ``pattern`` each stored entry counts as 1 whatever its value."""
        out = np.zeros(self.n_rows, dtype=np.float64)
        for k, f in enumerate(features):
            a, b = self.indptr[f], self.indptr[f + 1]
            if a == b:
                continue
            vals = np.ones(b - a) if pattern else self.data[a:b]
            np.add.at(out, self.indices[a:b], vals if weights is None else vals * weights[k])
        return out
