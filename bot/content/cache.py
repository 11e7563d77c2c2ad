"""A cache of validated content, so a warm worker skips parsing and validating thousands of YAML files.

With a commune's whole list imported (2,000 entries) parsing the YAML with line tracking and building the
generic flows is most of start-up. The texts are read anyway (their digest is the snapshot's version), so the
validated parts are pickled under a key made of those texts *and* the code that validates them: any edit to a
content file or to ``bot/content`` (or another Python or pydantic) gives a new key, and the cache is rebuilt
from the files, reporting errors with ``file:line`` as always. A cache that cannot be read is ignored.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from bot.content.generic import default_template_text
from bot.content.loader import SPEC_FILE, load_spec, load_texts, read_folder_texts
from bot.content.snapshot import ContentSnapshot
from nlu.fields.registry import FIELD_TYPE_NAMES

log = logging.getLogger(__name__)

_PREFIX = "content-"
_CODE = Path(__file__).resolve().parent


def code_version() -> str:
    """What, besides the texts, decides the validated content: this package's code, the field types the schema
    accepts (`nlu.fields.registry`), pydantic and Python."""
    h = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0{' '.join(FIELD_TYPE_NAMES)}\0".encode())
    for path in sorted(_CODE.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def content_key(texts: Mapping[str, str], spec_text: str, require_all: bool) -> str:
    """The cache key of exactly these content texts, validated by exactly this code."""
    h = hashlib.sha256(code_version().encode() + (b"1" if require_all else b"0"))
    for name in sorted(texts):
        h.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    h.update(b"\0spec\0" + spec_text.encode())
    return h.hexdigest()[:24]


def _parts(snap: ContentSnapshot) -> dict[str, Any]:
    # MappingProxyType does not pickle: store plain dicts and rebuild the snapshot from them.
    return {"version": snap.version, "procedures": dict(snap.procedures), "flows": dict(snap.flows),
            "phrases": dict(snap.phrases), "spec": snap.spec, "elsewhere": snap.elsewhere,
            "meta": dict(snap.meta), "rules": dict(snap.rules)}


def _read_cache(path: Path, key: str) -> ContentSnapshot | None:
    """The cached snapshot, or None when missing, unreadable or written for another key."""
    if not path.exists():
        return None
    enabled = gc.isenabled()
    gc.disable()   # unpickling ~100k small objects: the collector would run dozens of times for nothing
    try:
        with path.open("rb") as fh:
            stored = pickle.load(fh)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        return ContentSnapshot(**stored["parts"])
    except Exception as exc:  # noqa: BLE001 - a stale or broken cache is rebuilt from the files
        log.warning("content cache unreadable, rebuilding: %s", type(exc).__name__)
        return None
    finally:
        if enabled:
            gc.enable()


def _write_cache(cache_dir: Path, path: Path, key: str, snap: ContentSnapshot) -> None:
    """Write atomically (temp file + rename), then drop older caches of the same kind (full or partial check)."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".content-", dir=cache_dir)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"key": key, "parts": _parts(snap)}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in cache_dir.glob(path.name.rsplit("-", 1)[0] + "-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("content cache not writable: %s", type(exc).__name__)


def load_content_cached(root: Path, cache_dir: Path | None, *, require_all: bool = True) -> ContentSnapshot:
    """Like `load_content`, reusing the validated snapshot of identical texts and code from ``cache_dir``.

    Invalid content raises `ContentErrors` (with file:line) exactly as without the cache: only a snapshot that
    validated is ever written."""
    cat, flo, phrases = read_folder_texts(root)
    spec_path = root / "procedures_catalog" / SPEC_FILE
    spec_text = spec_path.read_text(encoding="utf-8") if spec_path.exists() else ""
    # The shipped generic template stands in when the content has none: it decides the generated flows too.
    key = content_key({**cat, **flo, "\0phrases": phrases, "\0template": default_template_text()}, spec_text,
                      require_all)
    kind = "all" if require_all else "part"
    path = cache_dir / f"{_PREFIX}{kind}-{key}.pkl" if cache_dir is not None else None
    if path is not None:
        cached = _read_cache(path, key)
        if cached is not None:
            return cached
    spec = load_spec(spec_path) if spec_path.exists() else ()
    snap = load_texts(cat, flo, phrases, spec, require_all=require_all)
    if cache_dir is not None and path is not None:
        _write_cache(cache_dir, path, key, snap)
    return snap
