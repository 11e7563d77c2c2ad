"""The NLU as the runtime sees it: one `aparse` call, whichever backend is configured.

The built-in model trains from the catalog at start-up (or loads its cache) in a thread, and
retrains in the background when content is published; parses keep using the previous model
until the new one is ready.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bot.content.knowledge import knowledge_items, labels
from bot.content.snapshot import ContentSnapshot
from bot.settings import Settings
from nlu.api import ParseContext, Understanding

log = logging.getLogger(__name__)


class NluService:
    """Wraps the configured parser; swaps models without blocking turns."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.backend = settings.nlu.backend
        self._parser: Any = None
        self._rasa: Any = None
        self.model_version: str | None = None
        self.last_train_seconds: float | None = None
        self._training: asyncio.Task[None] | None = None
        self.extra_examples: tuple[Any, ...] = ()   # admin-assigned misses (bot/admin/misses.py), trained with the catalog
        self._model_file: str | None = None         # the cached model file serving now (kept by ``prune_cache``)

    @property
    def ready(self) -> bool:
        return self._parser is not None or self._rasa is not None

    def build(self, snapshot: ContentSnapshot) -> Any:
        """Train (or load) a parser for ``snapshot``. Blocking: run in a thread."""
        if self.backend == "placeholder":
            from nlu.placeholder import PlaceholderParser

            return PlaceholderParser(knowledge_items(snapshot), labels(snapshot))
        from nlu.builtin import BuiltinParser

        cache = self.settings.path(self.settings.nlu.model_cache_dir)
        index = cache / f"nlu-for-{_inputs_key(snapshot, self.extra_examples)}.txt"
        known = _known_model(index)
        if known is not None:
            self._model_file = _indexed(index)
            return known
        from nlu.training import default_training_set  # only without a built model (its YAML readers)

        ts = default_training_set(knowledge_items(snapshot), labels(snapshot), extra=self.extra_examples)
        path = BuiltinParser.cache_path(ts, cache)
        if self.settings.nlu.train_apart and not path.exists():
            _train_apart(ts, cache)
        parser = BuiltinParser.load_or_train(ts, cache_dir=cache)   # trains here only if the child could not
        if path.exists():
            _write_index(index, path.name)
            self._model_file = path.name
        return parser

    def prune_cache(self, snapshot: ContentSnapshot) -> int:
        """Delete every cached model (and its index) but the one serving now and the one built from the shipped
        data alone: after a citizen's labelled message is erased, no file on disk keeps its words. Returns how many
        files went. Another worker's model is rebuilt from the database when it next trains."""
        if self.backend != "builtin" or self._model_file is None:
            return 0
        cache = self.settings.path(self.settings.nlu.model_cache_dir)
        plain = cache / f"nlu-for-{_inputs_key(snapshot, ())}.txt"
        keep = {self._model_file, _indexed(plain) or "", plain.name}
        keep |= {p.name for p in cache.glob("nlu-for-*.txt") if _indexed(p) in keep}
        gone = 0
        for p in cache.glob("nlu-*"):
            if p.name not in keep:
                p.unlink(missing_ok=True)
                gone += 1
        return gone

    def use(self, parser: Any, version: str | None = None) -> None:
        """Serve an already trained parser (tests, or a model shared between workers)."""
        self._parser = parser
        self.model_version = version

    async def start(self, snapshot: ContentSnapshot) -> None:
        if self._parser is not None:
            return
        if self.backend == "rasa":
            from nlu.rasa_http import RasaHttpParser

            self._rasa = RasaHttpParser(self.settings.nlu.rasa_url, timeout=self.settings.nlu.rasa_timeout)
            return
        await self._train(snapshot)

    async def _train(self, snapshot: ContentSnapshot) -> None:
        t0 = time.perf_counter()
        parser = await asyncio.to_thread(self.build, snapshot)
        self._parser = parser
        self.model_version = snapshot.version
        self.last_train_seconds = time.perf_counter() - t0
        log.info("nlu model ready", extra={"version": snapshot.version, "seconds": round(self.last_train_seconds, 2)})

    def retrain(self, snapshot: ContentSnapshot) -> asyncio.Task[None] | None:
        """Background retrain after a publish; the old model serves until the new one is ready."""
        if self.backend == "rasa":
            return None
        self._training = asyncio.get_event_loop().create_task(self._train(snapshot))
        return self._training

    async def aparse(self, text: str, context: ParseContext | None) -> Understanding:
        if self._rasa is not None:
            return await self._rasa.aparse(text, context)
        if self._parser is None:
            return Understanding(text=text)
        return self._parser.parse(text, context)

    async def close(self) -> None:
        if self._rasa is not None and hasattr(self._rasa, "close"):
            await self._rasa.close()


def _inputs_key(snapshot: ContentSnapshot, extra: tuple[Any, ...]) -> str:
    """A digest of what decides the training set without building it (~0.3-0.5 s with the shipped examples):
    the content's version and spec, the code that turns content into training data and trains, the shipped NLU
    data files and the admin-assigned examples. Equal digests mean an equal training set, hence the same model."""
    import hashlib

    from bot.content.cache import code_version
    from nlu.builtin import model_version
    from nlu.normalize import DATA_DIR

    h = hashlib.sha256(f"{snapshot.version}\0{code_version()}\0{model_version()}\0".encode())
    h.update(repr([(e.id, e.kind, e.name) for e in snapshot.spec]).encode())
    h.update(repr([(e.text, e.label) for e in extra]).encode())
    for path in sorted(DATA_DIR.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:24]


def _known_model(index: Any) -> Any:
    """The cached model an earlier build wrote for these same inputs, or None (then the training set decides)."""
    from nlu.builtin import BuiltinParser

    try:
        path = index.parent / index.read_text(encoding="utf-8").strip()
        parser = BuiltinParser.load(path)
        parser.parse("xin chào")   # a model from other code fails here, not in a conversation
        return parser
    except Exception:  # noqa: BLE001 - no index, a removed model or a stale one: build as before
        return None


def _indexed(index: Any) -> str | None:
    """The model file name an index points to, or None."""
    try:
        return str(index.read_text(encoding="utf-8").strip()) or None
    except OSError:
        return None


def _write_index(index: Any, model_name: str) -> None:
    try:
        index.write_text(model_name, encoding="utf-8")
    except OSError:
        log.warning("nlu index not writable: %s", index.parent)


def _train_and_save(ts: Any, cache: Any) -> None:
    """In the child process: train and write the cache the parent then loads."""
    from nlu.builtin import BuiltinParser

    BuiltinParser.train(ts).save(BuiltinParser.cache_path(ts, cache))


def _train_apart(ts: Any, cache: Any, timeout_s: float = 300.0) -> None:
    """Train in a fresh process so scikit-learn and SciPy never load into the serving worker. Blocking."""
    import multiprocessing as mp

    t0 = time.perf_counter()
    child = mp.get_context("spawn").Process(target=_train_and_save, args=(ts, cache), name="motcua-nlu-train",
                                            daemon=True)
    try:
        child.start()
    except (AssertionError, OSError) as exc:   # e.g. inside a daemonic process, or no resources to fork
        log.warning("nlu training cannot run in a child process (%s); training in this process", exc)
        return
    child.join(timeout_s)
    if child.is_alive():
        child.kill()
        child.join()
    if child.exitcode != 0:
        log.warning("nlu training in a child process failed (exit %s); training in this process", child.exitcode)
    else:
        log.info("nlu trained in a child process", extra={"seconds": round(time.perf_counter() - t0, 2)})
