"""The trained model's inference, in numpy only.

scikit-learn and SciPy are needed to *train* (a few seconds, at start-up when the cache is cold or after a
publish); a worker that loads a cached model needs only what a fitted ``TfidfVectorizer`` does to one message
and a few column sums of sparse matrices. Importing scikit-learn for that cost each worker ~100 MB of memory
and ~0.6 s of start-up, so the fitted objects are turned into these plain arrays after training.
"""
from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_grams(word: str, lo: int, hi: int, out: list[str]) -> list[str]:
    """Append scikit-learn's ``char_wb`` n-grams of one word (no white space in it) to ``out``: the word is
    padded with a space on each side, and a padded word shorter than ``n`` gives itself once."""
    w = " " + word + " "
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
                char_wb_grams(w, lo, hi, out)
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
        features = np.asarray(features, dtype=np.int64)
        starts = self.indptr[features]
        lengths = self.indptr[features + 1] - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(self.n_rows, dtype=np.float64)
        # positions of the features' stored entries, column after column: one gather and one bincount (summing
        # in the same order as adding the columns one by one)
        pos = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        vals = np.ones(total) if pattern else self.data[pos]
        if weights is not None:
            vals = vals * np.repeat(np.asarray(weights, dtype=np.float64), lengths)
        return np.bincount(self.indices[pos], weights=vals, minlength=self.n_rows)


def _packed(ids: list[int]) -> bytes:
    return np.asarray(ids, dtype=np.int32).tobytes()


_NO_RETRIEVAL = (-1, b"", b"")


@dataclass(frozen=True, eq=False)
class WordTables:
    """The built-in parser's message features in one pass over the message's words, from tables built at
    training time from the words the model knows (never from the messages it reads).

    The three classifier vectorizers (char_wb n-grams of the folded text, word 1-2-grams of the accented and of
    the folded text) and the retrieval word vectorizer (1-2-grams of the folded text) give, per message, what
    their ``LeanTfidf.transform`` gives, but a known word costs one dictionary look-up instead of one per
    n-gram: char_wb n-grams never cross a space, so a word's n-grams and their feature ids are the word's own.
    Feature ids are kept as packed int32 ``bytes`` so a message's ids are one ``b"".join`` and one
    ``np.frombuffer``; a retrieval feature carries its column of the retrieval matrix (row ids, values) the same
    way, so a message's column sum is one ``np.bincount``. Words the tables do not hold (typos, names) get their
    char n-grams computed as ``LeanTfidf`` does.
    """

    char_range: tuple[int, int]
    char_vocab: dict[str, int]        # the char vectorizer's own vocabulary (shared with it)
    char_offset: int
    accented: dict[str, bytes]        # accented word or "w1 w2" → its classifier feature id (packed)
    folded: dict[str, tuple[bytes, int, bytes, bytes]]   # folded word or "w1 w2" → (classifier ids (char
    # n-grams then the word feature, packed), retrieval feature id or -1, its column's row ids, its values)
    idf: np.ndarray                   # float64 idf of every classifier feature (global ids)
    segment: np.ndarray               # int8: which classifier vectorizer a global feature id belongs to
    n_segments: int
    n_rows: int                       # rows of the retrieval matrix
    novel: frozenset[int]             # retrieval features the novelty score looks at (novel idf != 0)
    log_tf: np.ndarray                # sublinear tf of a count: 1 + log(count), for counts up to 16383

    @classmethod
    def build(cls, clf: tuple[LeanTfidf, ...], offsets: tuple[int, ...], ret_word: LeanTfidf | None,
              ret_matrix: Columns | None, novel_idf: np.ndarray | None) -> WordTables | None:
        """The tables for (char_wb on folded, word on accented, word on folded) classifier vectorizers and an
        optional word retrieval vectorizer on the folded text; None for any other configuration."""
        def plain_words(v: LeanTfidf) -> bool:
            return (v.analyzer == "word" and v.lowercase and v.ngram_range == (1, 2) and v.token_pattern is not None
                    and v.token_pattern.pattern == r"\S+" and not v.token_pattern.flags & ~re.UNICODE)

        if len(clf) != 3 or clf[0].analyzer != "char_wb" or not clf[0].lowercase \
                or not plain_words(clf[1]) or not plain_words(clf[2]) \
                or any(v.binary or not v.sublinear_tf or v.norm != "l2" for v in clf) \
                or (ret_word is not None and (not plain_words(ret_word) or not ret_word.binary or ret_matrix is None)):
            return None
        char, acc, fold = clf
        lo, hi = char.ngram_range

        def char_ids(word: str) -> list[int]:
            return [char.vocabulary[g] + offsets[0] for g in char_wb_grams(word, lo, hi, [])
                    if g in char.vocabulary]

        def column(f: int) -> tuple[int, bytes, bytes]:
            assert ret_matrix is not None
            a, b = int(ret_matrix.indptr[f]), int(ret_matrix.indptr[f + 1])
            return (f, ret_matrix.indices[a:b].astype(np.int32).tobytes(),
                    ret_matrix.data[a:b].astype(np.float64).tobytes())

        ret_vocab = ret_word.vocabulary if ret_word is not None else {}
        folded: dict[str, tuple[bytes, int, bytes, bytes]] = {}
        for term in sorted({*fold.vocabulary, *ret_vocab}):
            ids = [] if " " in term else char_ids(term)
            if term in fold.vocabulary:
                ids.append(fold.vocabulary[term] + offsets[2])
            ret = column(ret_vocab[term]) if term in ret_vocab else _NO_RETRIEVAL
            folded[term] = (_packed(ids), *ret)
        accented = {term: _packed([j + offsets[1]]) for term, j in acc.vocabulary.items()}
        sizes = [v.size for v in clf]
        novel = frozenset(int(f) for f in np.flatnonzero(novel_idf)) if novel_idf is not None else frozenset()
        return cls((lo, hi), char.vocabulary, offsets[0], accented, folded,
                   np.concatenate([v.idf for v in clf]).astype(np.float64),
                   np.repeat(np.arange(3, dtype=np.int8), sizes), 3,
                   ret_matrix.n_rows if ret_matrix is not None else 0, novel,
                   np.concatenate(([0.0], np.log(np.arange(1, 1 << 14, dtype=np.float64)) + 1.0)))

    def features(self, accented: str, folded: str) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[Any, ...]]]:
        """The classifier features of a message (global ids, in no particular order, and their tf-idf values,
        l2-normalized per vectorizer) and its retrieval features (id → table entry, in the order
        ``LeanTfidf.transform`` finds them)."""
        chunks, ret = self._folded_terms(folded)
        words = accented.lower().split()
        table_a = self.accented.get
        for w in words:
            x = table_a(w)
            if x is not None:
                chunks.append(x)
        for i in range(len(words) - 1):
            x = table_a(words[i] + " " + words[i + 1])
            if x is not None:
                chunks.append(x)
        joined = b"".join(chunks)
        if not joined:
            return np.zeros(0, dtype=np.intp), np.zeros(0), ret
        counts = Counter(memoryview(joined).cast("i"))    # feature id → occurrences (counted in C)
        n = len(counts)
        idx = np.fromiter(counts, dtype=np.intp, count=n)
        if len(joined) // 4 < len(self.log_tf):
            vals = self.log_tf[np.fromiter(counts.values(), dtype=np.intp, count=n)]
        else:
            vals = np.log(np.fromiter(counts.values(), dtype=np.float64, count=n)) + 1.0
        vals *= self.idf[idx]
        seg = self.segment[idx]
        norms = np.sqrt(np.bincount(seg, weights=vals * vals, minlength=self.n_segments))
        vals /= norms[seg]
        return idx, vals, ret

    def retrieval_features(self, folded: str) -> dict[int, tuple[Any, ...]]:
        """The retrieval features of a folded text alone (``features``' third part)."""
        return self._folded_terms(folded)[1]

    def _folded_terms(self, folded: str) -> tuple[list[Any], dict[int, tuple[Any, ...]]]:
        """Packed classifier ids of the folded text's words and word pairs, and its retrieval features."""
        words = folded.lower().split()
        table = self.folded.get
        chunks: list[Any] = []
        ret: dict[int, tuple[Any, ...]] = {}
        for w in words:
            e = table(w)
            if e is None:
                chunks.append(self._char_ids(w))
                continue
            chunks.append(e[0])
            if e[1] >= 0 and e[1] not in ret:
                ret[e[1]] = e
        for i in range(len(words) - 1):
            e = table(words[i] + " " + words[i + 1])
            if e is not None:
                chunks.append(e[0])
                if e[1] >= 0 and e[1] not in ret:
                    ret[e[1]] = e
        return chunks, ret

    def _char_ids(self, word: str) -> array[int]:
        vocab = self.char_vocab
        grams = char_wb_grams(word, self.char_range[0], self.char_range[1], [])
        return array("i", [vocab[g] + self.char_offset for g in grams if g in vocab])

    def retrieval_sums(self, ret: dict[int, tuple[Any, ...]]) -> np.ndarray:
        """Per retrieval row: the sum of its values over the features present (``Columns.weighted_sum``)."""
        if not ret:
            return np.zeros(self.n_rows, dtype=np.float64)
        entries = ret.values()
        rows = np.frombuffer(b"".join([e[2] for e in entries]), dtype=np.int32)
        vals = np.frombuffer(b"".join([e[3] for e in entries]), dtype=np.float64)
        return np.bincount(rows, weights=vals, minlength=self.n_rows)
