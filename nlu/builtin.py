"""The built-in parser: a classifier on examples fused with retrieval over catalog text.

* Classifier: a linear SVM (margins scaled to logits) over char n-grams of the accent-folded
  text plus word n-grams of both the accented and the folded text. It covers every label that
  has examples (shipped paraphrases, templates, catalog names).
* Retrieval: how much of each catalog name (and, weaker, document name) appears in the
  message, IDF-weighted over words; words the classifier never saw count extra ("novelty").
  It covers every catalog entry, so a procedure imported with nothing but a name can still
  be found; only the few best-matching catalog-only labels enter a ranking.
* Fusion: ``z = log p_clf + a·retrieval + b·novelty (+ context bias)``, softmax with a
  temperature fitted by cross-validation, so confidences are calibrated.

scikit-learn and SciPy are imported only when training; the trained model keeps plain numpy arrays
(``nlu/lean.py``), so a worker serving a cached model never imports them (~100 MB and ~0.6 s saved).
"""
from __future__ import annotations

import logging
import math
import pickle
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.api import Candidate, Example, ParseContext, TrainingSet, Understanding, today_of
from nlu.entities import extract_entities
from nlu.normalize import normalize

log = logging.getLogger(__name__)

_WEIGHTS = {"template": 0.5, "augmented": 0.5, "catalog": 0.6}


@dataclass(frozen=True, slots=True)
class Settings:
    """Fusion and calibration constants (fitted by ``bench/nlu_bench.py``)."""

    retrieval_weight: float = 7.0     # a: strength of catalog-name containment
    seen_retrieval_weight: float = 2.0  # the same for labels the classifier knows (it learnt their names)
    novel_name_mix: float = 3.0       # how much more the name share counts than the message share
    novel_weight: float = 3.0         # share of the message's never-seen words that a catalog name explains
    word_mix: float = 1.0             # share of word n-grams (vs char n-grams) in retrieval
    text_weight: float = 0.5          # document names count this much of a name
    unseen_candidates: int = 3        # catalog-only labels allowed into the ranking per message
    unseen_log_prior: float = -4.5    # log p for labels the classifier never saw
    temperature: float = 1.75         # softmax temperature: wrong answers acted on ≤ 1 % on held-out files (issue 18)
    yes_no_bias: float = 3.0          # affirm/deny when the bot asked a yes/no question
    follow_up_bias: float = 1.2       # ask_fee/ask_duration/ask_where while a procedure is discussed
    classifier: str = "svc"           # "svc" (liblinear, light on memory) or "lr" (lbfgs, ~250 MB peak)
    c: float = 20.0                   # inverse regularization of the logistic regression
    svc_c: float = 0.5                # inverse regularization of the linear SVM
    svc_scale: float = 6.0            # SVM margins → logits
    request_weight: float = 0.3       # share of the request sentence in a multi-sentence message's classifier score
    seed: int = 0                     # liblinear's shuffling: two trainings give the same model
    template_per_label: int = 40
    augment_copies: int = 2


def _fit_classifier(x: Any, y: np.ndarray, w: np.ndarray, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Fit the configured linear classifier; apart from train so the choice of model reads on its own."""
    if s.classifier == "lr":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=s.c, max_iter=300, tol=1e-3, random_state=s.seed)
        model.fit(x, y, sample_weight=w)
        return model.coef_, model.intercept_
    from sklearn.svm import LinearSVC

    svc = LinearSVC(C=s.svc_c, tol=1e-3, max_iter=2000, random_state=s.seed)  # liblinear shuffles
    svc.fit(x, y, sample_weight=w)
    return svc.coef_ * s.svc_scale, svc.intercept_ * s.svc_scale


def _novel_idf(known: Any, word_vec: Any) -> np.ndarray:
    """IDF of retrieval words the classifier never saw (0 for known words and bigrams), as float64."""
    novel = np.array([0.0 if (term in known or " " in term) else 1.0
                      for term in word_vec.get_feature_names_out()], dtype=np.float32)
    return (novel * word_vec.idf_.astype(np.float32)).astype(np.float64)


class BuiltinParser:
    """Trained model; immutable after `train`, safe to share between coroutines."""

    VERSION = "5"   # 5: request sentence of long messages, learned need cues

    def __init__(self, labels: Sequence[str], clf_labels: Sequence[str], vectorizers: Any, coef: Any,
                 intercept: Any, ret_vectorizer: Any, ret_matrix: Any, ret_rows: Any,
                 settings: Settings) -> None:
        self.labels = tuple(labels)
        self._index = {l: i for i, l in enumerate(self.labels)}
        self.clf_labels = tuple(clf_labels)
        self._clf_pos = np.array([self._index[l] for l in self.clf_labels], dtype=np.int64)
        self._vectorizers = vectorizers
        self._coef = coef
        self._intercept = intercept
        self._intercept64 = np.asarray(intercept, dtype=np.float64)
        self._ret_vec = ret_vectorizer
        self._ret_matrix = ret_matrix  # rows: names/texts (L1-normalized idf), cols: char n-grams
        self._ret_rows = ret_rows      # (label position, weight) per row
        self._ret_label = np.ascontiguousarray(ret_rows[:, 0], dtype=np.int64)
        self._ret_weight = np.ascontiguousarray(ret_rows[:, 1], dtype=np.float64)
        self._tables: Any = None       # WordTables (nlu/lean.py): the features of a message in one pass
        self._shortcut = False         # probabilities through _shifted_scores
        self._ret_factor = np.zeros(0)  # per catalog row: word_mix × row weight × its label's retrieval weight
        self._novel_idf: Any = None    # V: idf of catalog words the classifier never saw, else 0
        self.settings = settings
        self._base = np.full(len(self.labels), settings.unseen_log_prior, dtype=np.float64)
        self._ret_weights = np.full(len(self.labels), settings.retrieval_weight, dtype=np.float64)
        self._ret_weights[self._clf_pos] = settings.seen_retrieval_weight
        seen = np.zeros(len(self.labels), dtype=bool)
        seen[self._clf_pos] = True
        self._unseen_pos = np.flatnonzero(~seen)
        self._clf_is_all = bool(np.array_equal(self._clf_pos, np.arange(len(self.labels))))
        self._clf_is_all = bool(np.array_equal(self._clf_pos, np.arange(len(self.labels))))
        self._intent_pos = {l: self._index[l] for l in self.labels if "." not in l}
        yes_no, follow_up = np.zeros(len(self.labels)), np.zeros(len(self.labels))
        yes_no[[self._intent_pos[l] for l in ("affirm", "deny") if l in self._intent_pos]] = settings.yes_no_bias
        follow_up[[self._intent_pos[l] for l in ("ask_fee", "ask_duration", "ask_where")
                   if l in self._intent_pos]] = settings.follow_up_bias
        # by (yes/no expected and a short message) × 2 + (a procedure under discussion)
        self._context_bias = (np.zeros(len(self.labels)), follow_up, yes_no, yes_no + follow_up)
        self._offsets: tuple[int, ...] = ()
        self._cues: dict[str, float] = {}   # need cues learned from the data (``nlu/stories.py``)

    def _make_lean(self) -> None:
        """Replace the fitted scikit-learn/SciPy objects by their numpy inference form (``nlu/lean.py``)."""
        from nlu.lean import Columns, LeanTfidf, WordTables

        self._vectorizers = tuple(LeanTfidf.of(v) for v in self._vectorizers)
        sizes = [v.size for v in self._vectorizers]
        self._offsets = tuple(int(x) for x in np.cumsum([0, *sizes[:-1]]))
        if self._ret_vec is not None:
            self._ret_vec = tuple(LeanTfidf.of(v) for v in self._ret_vec)
            self._ret_matrix = tuple(Columns.of(m) for m in self._ret_matrix)
        ret_vec: Any = self._ret_vec
        word_retrieval = ret_vec is not None and self.settings.word_mix >= 1.0   # the char part weighs 0
        self._tables = WordTables.build(self._vectorizers, self._offsets,
                                        ret_vec[1] if word_retrieval else None,
                                        self._ret_matrix[1] if word_retrieval else None, self._novel_idf)
        self._shortcut = self._tables is not None and self._clf_is_all and (ret_vec is None or word_retrieval)
        self._ret_factor = self.settings.word_mix * self._ret_weight * self._ret_weights[self._ret_label]

    # ------------------------------------------------------------------ training

    @classmethod
    def train(cls, ts: TrainingSet, settings: Settings | None = None, *,
              without: Collection[str] = ()) -> BuiltinParser:
        """Fit on ``ts`` plus templates and catalog names; a few seconds for ~40 labels.

        Labels in ``without`` get no examples at all (retrieval only), which is how a procedure
        imported with just a name behaves; the benchmark uses it to measure that case.
        """
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        from nlu.training import augment, knowledge_examples, template_examples

        s = settings or Settings()
        t0 = time.perf_counter()
        labels = list(dict.fromkeys([*ts.labels, *(k.label for k in ts.knowledge)]))
        known = set(labels) - set(without)
        base = [e for e in ts.examples if e.label in known]
        have = {e.label for e in base}
        generated = template_examples([l for l in labels if l in known and (l in have or _has_template(l)
                                                                         or l == "out_of_scope")],
                                      ts.knowledge, per_label=s.template_per_label)
        generated += knowledge_examples(ts.knowledge, have | {e.label for e in generated})
        train_set: list[Example] = [*base, *generated]
        train_set += augment(train_set, copies=s.augment_copies)
        clf_labels = sorted({e.label for e in train_set}, key=lambda l: labels.index(l))

        norm = [normalize(e.text) for e in train_set]
        vecs = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                            dtype=np.float32),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                            dtype=np.float32),
        )
        x = sparse.hstack([
            vecs[0].fit_transform([n.folded for n in norm]),
            vecs[1].fit_transform([n.accented for n in norm]),
            vecs[2].fit_transform([n.folded for n in norm]),
        ]).tocsr()
        y = np.array([clf_labels.index(e.label) for e in train_set])
        w = np.array([_WEIGHTS.get(e.style or "", 1.0) for e in train_set])
        coef, intercept = _fit_classifier(x, y, w, s)

        ret_vec, ret_matrix, ret_rows = _build_retrieval(ts, labels, s)
        parser = cls(labels, clf_labels, vecs, np.ascontiguousarray(coef.T.astype(np.float32)),
                     intercept.astype(np.float32), ret_vec, ret_matrix, ret_rows, s)
        if ret_vec is not None:
            parser._novel_idf = _novel_idf(vecs[2].vocabulary_, ret_vec[1])
        from nlu.stories import frames_and_situations, learn_need_cues
        from nlu.training import _templates

        parser._cues = learn_need_cues(*frames_and_situations(_templates(), [e.text for e in base]))
        parser._make_lean()
        log.info("nlu trained: %d examples, %d classifier labels, %d labels, %.2fs", len(train_set),
                 len(clf_labels), len(labels), time.perf_counter() - t0)
        return parser

    # ------------------------------------------------------------------ persistence

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @staticmethod
    def load(path: Path) -> BuiltinParser:
        with path.open("rb") as fh:
            obj = pickle.load(fh)
        if not isinstance(obj, BuiltinParser):
            raise TypeError("not a BuiltinParser")
        return obj

    @staticmethod
    def cache_path(ts: TrainingSet, cache_dir: Path, settings: Settings | None = None) -> Path:
        """Where the model trained from exactly ``ts`` (and this code and settings) is cached."""
        from nlu.training import fingerprint

        return cache_dir / f"nlu-{fingerprint(ts, model_version(settings))}.pkl"

    @classmethod
    def load_or_train(cls, ts: TrainingSet, cache_dir: Path | None = None,
                      settings: Settings | None = None) -> BuiltinParser:
        """Reuse a model trained from exactly these inputs, else train and cache it."""
        if cache_dir is None:
            return cls.train(ts, settings)
        path = cls.cache_path(ts, cache_dir, settings)
        if path.exists():
            try:
                cached = cls.load(path)
                cached.parse("xin chào")  # a cache from other code fails here, not in a conversation
                return cached
            except Exception:  # noqa: BLE001 - a stale or broken cache is just retrained
                log.warning("nlu cache unreadable, retraining")
        parser = cls.train(ts, settings)
        try:
            parser.save(path)
        except OSError:
            log.warning("nlu cache not writable: %s", cache_dir)
        return parser

    # ------------------------------------------------------------------ inference

    def scores(self, text: str, context: ParseContext | None = None) -> np.ndarray:
        """Fused log-scores per label (before temperature and softmax)."""
        n = normalize(text)
        s = self.settings
        logits, ret = self._classifier_logits(text, n)
        logits -= logits.max()
        logp = logits - math.log(float(np.exp(logits).sum()))
        if self._clf_is_all:   # every label has examples (the usual case): no prior to start from
            z = logp
        else:
            z = self._base.copy()
            z[self._clf_pos] = logp
        ret_score, novel = self._retrieval(n.folded, ret)
        if novel is None:
            z += self._ret_weights * ret_score   # (+ 0 · novel: the same sum)
        else:
            z += self._ret_weights * ret_score + s.novel_weight * novel
        if self._unseen_pos.size > s.unseen_candidates:
            # only the few best-matching catalog-only labels compete; with thousands of imported
            # entries the rest would otherwise soak up the probability mass
            unseen_z = z[self._unseen_pos]
            keep = np.argpartition(unseen_z, -s.unseen_candidates)[-s.unseen_candidates:]
            dropped = np.ones(unseen_z.size, dtype=bool)
            dropped[keep] = False
            z[self._unseen_pos[dropped]] = -50.0
        if context is not None:
            self._apply_context(z, n.folded, context)
        return z

    def _classifier_logits(self, text: str, n: Any) -> tuple[np.ndarray, dict[int, Any] | None]:
        """The classifier's logits of a message (with its request sentence's, for a long one) and, with
        ``WordTables``, the message's retrieval features found on the way."""
        s = self.settings
        ret = None
        if self._tables is not None:
            idx, vals, ret = self._tables.features(n.accented, n.folded)
            logits = self._classify(idx, vals)
        else:
            logits = self._logits(n)
        if s.request_weight > 0.0 and len(text) > 40:
            from nlu.stories import request_sentence

            request = request_sentence(text, self._cues)
            if request is not None:
                # what the citizen asks for now outweighs the events told before it
                logits = (1.0 - s.request_weight) * logits + s.request_weight * self._logits(normalize(request))
        return logits, ret

    def _shifted_scores(self, text: str, context: ParseContext | None) -> np.ndarray:
        """``scores`` plus a constant, for a model whose every label has examples (``_shortcut``): the
        classifier's log-normalizer is the same for every label and the softmax cancels it, so the
        probabilities are those of ``scores`` (to rounding) with six array operations fewer; the retrieval
        weights are applied per catalog row (``_ret_factor``) before the maximum per label."""
        n = normalize(text)
        z, ret = self._classifier_logits(text, n)
        if ret:
            tables = self._tables
            sims = tables.retrieval_sums(ret)
            sims *= self._ret_factor
            out = np.zeros(len(self.labels), dtype=np.float64)
            np.maximum.at(out, self._ret_label, sims)
            z += out
            if self._novel_idf is not None and not tables.novel.isdisjoint(ret):
                novel = np.zeros(len(self.labels), dtype=np.float64)
                self._add_novel(np.fromiter(ret, dtype=np.int64, count=len(ret)), self._ret_matrix[1], novel)
                z += self.settings.novel_weight * novel
        if context is not None:
            self._apply_context(z, n.folded, context)
        return z

    def _logits(self, n: Any) -> np.ndarray:
        """Classifier logits (margins scaled) of one normalized text."""
        if self._tables is not None:
            idx, vals, _ = self._tables.features(n.accented, n.folded)
            return self._classify(idx, vals)
        return self._lean_logits(n)

    def _classify(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """Classifier logits of a message's features (global ids and tf-idf values)."""
        if not idx.size:
            return self._intercept64.copy()
        return self._intercept64 + vals @ self._coef[idx]

    def _lean_logits(self, n: Any) -> np.ndarray:
        """``_logits`` feature by feature with each vectorizer's ``LeanTfidf.transform`` (what ``WordTables``
        does in one pass; kept for the settings it does not cover and as the reference the tests hold it to)."""
        logits = self._intercept.astype(np.float64)
        for vec, offset, doc in zip(self._vectorizers, self._offsets, (n.folded, n.accented, n.folded)):
            idx, vals = vec.transform(doc)
            if idx.size:
                logits = logits + vals @ self._coef[offset + idx]
        return logits

    def retrieval(self, folded: str, features: dict[int, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per label: the largest IDF-weighted share of a catalog name found in the message, and
        the share found through words the classifier never saw in training ("novel" words).

        A novel word that matches a catalog name ("karaoke") is strong evidence for a procedure
        the classifier cannot know about; a known word is already weighed by the classifier.
        ``features``: the message's retrieval features when ``WordTables.features`` already found them.
        """
        out, novel = self._retrieval(folded, features)
        return out, novel if novel is not None else np.zeros(len(self.labels), dtype=np.float64)

    def _retrieval(self, folded: str, features: dict[int, Any] | None) -> tuple[np.ndarray, np.ndarray | None]:
        """``retrieval``, with None for a novelty score that is zero throughout."""
        tables = self._tables
        if self._ret_matrix is None or not folded or tables is None or tables.n_rows == 0:
            return self._lean_retrieval(folded)
        if features is None:
            features = tables.retrieval_features(folded)
        sims = self.settings.word_mix * tables.retrieval_sums(features)
        novel = None
        if self._novel_idf is not None and not tables.novel.isdisjoint(features):
            novel = np.zeros(len(self.labels), dtype=np.float64)
            self._add_novel(np.fromiter(features, dtype=np.int64, count=len(features)), self._ret_matrix[1], novel)
        sims *= self._ret_weight
        out = np.zeros(len(self.labels), dtype=np.float64)
        np.maximum.at(out, self._ret_label, sims)
        return out, novel

    def _add_novel(self, words: np.ndarray, matrix: Any, novel: np.ndarray) -> None:
        """The novelty score of retrieval word features ``words`` into ``novel`` (per label)."""
        idf = self._novel_idf[words]
        novel_words, novel_idf = words[idf != 0.0], idf[idf != 0.0]
        total = float(novel_idf.sum())
        if total > 0.0:
            # share of the name (IDF-weighted) matched through never-seen words ...
            by_name = matrix.weighted_sum(novel_words)
            # ... and share of the message's never-seen words the name explains
            by_query = matrix.weighted_sum(novel_words, novel_idf, pattern=True) / total
            nov = (self.settings.novel_name_mix * by_name + by_query) * self._ret_rows[:, 1]
            np.maximum.at(novel, self._ret_label, nov)

    def _lean_retrieval(self, folded: str) -> tuple[np.ndarray, np.ndarray]:
        """``retrieval`` with each vectorizer's ``LeanTfidf.transform`` (the reference for ``WordTables``)."""
        out = np.zeros(len(self.labels), dtype=np.float64)
        novel = np.zeros(len(self.labels), dtype=np.float64)
        if self._ret_matrix is None or not folded:
            return out, novel
        m = self.settings.word_mix
        rows = self._ret_rows[:, 0].astype(np.int64)
        sims = np.zeros(self._ret_rows.shape[0], dtype=np.float64)
        for i, (vec, matrix, weight) in enumerate(((self._ret_vec[0], self._ret_matrix[0], 1.0 - m),
                                                   (self._ret_vec[1], self._ret_matrix[1], m))):
            if weight <= 0.0 and i == 0:
                continue
            words, _ = vec.transform(folded)   # which catalog n-grams the message holds (presence only)
            if weight > 0.0:
                sims += weight * matrix.weighted_sum(words)
            if i == 1 and self._novel_idf is not None:
                self._add_novel(words, matrix, novel)
        sims *= self._ret_rows[:, 1]
        np.maximum.at(out, rows, sims)
        return out, novel

    def _apply_context(self, z: np.ndarray, folded: str, ctx: ParseContext) -> None:
        s = self.settings
        yes_no = ctx.expecting == "yes_no" and len(folded.split()) <= 5
        if yes_no or ctx.procedure_id:
            # one vector per case (the labels each bias raises are distinct): one array operation, not five
            z += self._context_bias[(2 if yes_no else 0) + (1 if ctx.procedure_id else 0)]
        if ctx.procedure_id:
            pos = self._index.get(ctx.procedure_id)
            if pos is not None:
                z[pos] += 0.5 * s.follow_up_bias

    def probabilities(self, text: str, context: ParseContext | None = None) -> np.ndarray:
        z = self._shifted_scores(text, context) if self._shortcut else self.scores(text, context)
        z = z / self.settings.temperature
        z -= z.max()
        p = np.exp(z)
        return p / p.sum()

    def parse(self, text: str, context: ParseContext | None = None) -> Understanding:
        """Full ranking over every label (confidences sum to 1) plus entities."""
        text = text if isinstance(text, str) else ""
        p = self.probabilities(text, context).tolist()
        # = np.argsort(-p, kind="stable"): Python's sort is stable in reverse too, and sorts 44 floats faster
        order = sorted(range(len(p)), key=p.__getitem__, reverse=True)
        return Understanding(text=text, ranking=_candidates(self.labels, p, order),
                             entities=extract_entities(text, today=today_of(context)))

    async def aparse(self, text: str, context: ParseContext | None = None) -> Understanding:
        """Same as `parse`; CPU-bound but ~1 ms, so it runs inline."""
        return self.parse(text, context)


_new_candidate = object.__new__
_set_label = Candidate.__dict__["label"].__set__            # the slots' own descriptors
_set_confidence = Candidate.__dict__["confidence"].__set__


def _candidates(labels: Sequence[str], confidences: list[float], order: list[int]) -> tuple[Candidate, ...]:
    """``tuple(Candidate(labels[i], confidences[i]) for i in order)`` at half the cost: a frozen dataclass's
    ``__init__`` goes through ``object.__setattr__`` per field, and a ranking holds every label; the slots are
    set directly, so each object is the same ``Candidate`` (equal, hashable, picklable)."""
    out = []
    for i in order:
        c = _new_candidate(Candidate)
        _set_label(c, labels[i])
        _set_confidence(c, confidences[i])
        out.append(c)
    return tuple(out)


def model_version(settings: Settings | None = None) -> str:
    """What, besides the data, decides the model: the code of the modules that build it and the settings."""
    import hashlib

    h = hashlib.sha256(BuiltinParser.VERSION.encode())
    here = Path(__file__).parent
    for name in ("builtin.py", "lean.py", "training.py", "normalize.py", "stories.py"):
        h.update((here / name).read_bytes())
    h.update(repr(settings or Settings()).encode())
    return h.hexdigest()[:16]


def _has_template(label: str) -> bool:
    from nlu.training import _templates

    t = _templates()
    return label in (t.get("cores") or {}) or label in (t.get("stories") or {})


def _build_retrieval(ts: TrainingSet, labels: list[str], s: Settings) -> tuple[Any, Any, Any]:
    """Char n-gram rows for every catalog name and document name, L1-normalized by IDF."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    index = {l: i for i, l in enumerate(labels)}
    docs: list[str] = []
    rows: list[tuple[int, float]] = []
    for k in ts.knowledge:
        if k.label not in index:
            continue
        for name in dict.fromkeys(k.names):
            docs.append(normalize(name).folded)
            rows.append((index[k.label], 1.0))
        for text in dict.fromkeys(k.texts):
            if len(text) <= 120:
                docs.append(normalize(text).folded)
                rows.append((index[k.label], s.text_weight))
    if not docs:
        return None, None, np.zeros((0, 2))
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), binary=True, norm="l1", dtype=np.float32)
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), binary=True, norm="l1", token_pattern=r"\S+",
                           dtype=np.float32)
    matrices = (char.fit_transform(docs).tocsr(), word.fit_transform(docs).tocsr())
    return (char, word), matrices, np.array(rows, dtype=np.float64)


__all__ = ["BuiltinParser", "Settings", "model_version"]
