"""Content versions: validate a draft set of YAML files, publish it live, roll back, diff, export.

A version stores the whole content set (``{relative path: YAML text}``); publishing swaps the
running `ContentStore` (which retrains the NLU in the background) and announces the version on the
``content`` pub/sub topic so every other worker loads it from the database and swaps too.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.models import ContentVersion
from bot.content.loader import PHRASES_FILE, load_texts, read_folder_texts
from bot.content.snapshot import ContentSnapshot, SpecEntry
from bot.content.yamlsrc import ContentError, ContentErrors

CATALOG_DIR, FLOWS_DIR = "procedures_catalog", "flows"
PHRASES_PATH = f"{FLOWS_DIR}/{PHRASES_FILE}"
TOPIC = "content"


def folder_files(root: Path) -> dict[str, str]:
    """The shipped content folders as one ``{relative path: text}`` set."""
    cat, flo, phrases = read_folder_texts(root)
    return {**cat, **flo, PHRASES_PATH: phrases}


def split_files(files: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str], str]:
    cat = {k: v for k, v in files.items() if k.startswith(CATALOG_DIR + "/")}
    flo = {k: v for k, v in files.items() if k.startswith(FLOWS_DIR + "/") and k != PHRASES_PATH}
    return cat, flo, files.get(PHRASES_PATH, "{}")


def build_snapshot(files: Mapping[str, str], spec: tuple[SpecEntry, ...], *, require_all: bool = True,
                   dated_prose: bool = True) -> ContentSnapshot:
    """Validate ``files``; raises `ContentErrors` (``file:line: field: problem``) when anything is wrong."""
    cat, flo, phrases = split_files(files)
    return load_texts(cat, flo, phrases, spec, require_all=require_all, dated_prose=dated_prose)


def check(files: Mapping[str, str], spec: tuple[SpecEntry, ...], *, require_all: bool = True) -> list[dict[str, Any]]:
    """Problems of a draft set as JSON-ready dicts (empty when it is publishable) — for the live editor."""
    try:
        build_snapshot(files, spec, require_all=require_all)
    except ContentErrors as exc:
        return problem_dicts(exc.errors)
    return []


def problem_dicts(errors: list[ContentError]) -> list[dict[str, Any]]:
    """What the editor shows of each problem: the file and line to jump to, the place in words, the hint."""
    return [{"file": e.file, "line": e.line, "field": e.field, "place": e.place if e.field else "",
             "problem": e.problem, "hint": e.hint, "text": e.words()} for e in errors]


def digest(files: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for k in sorted(files):
        h.update(k.encode() + b"\0" + files[k].encode() + b"\0")
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str          # added | removed | changed
    lines: tuple[tuple[str, str], ...]   # (kind: add|del|ctx|hunk, escaped text)


def diff(old: Mapping[str, str], new: Mapping[str, str]) -> list[FileDiff]:
    """Per-file unified diff, HTML-escaped so YAML text can never inject markup into the page."""
    out: list[FileDiff] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        lines: list[tuple[str, str]] = []
        for line in difflib.unified_diff((a or "").splitlines(), (b or "").splitlines(), "trước", "sau", lineterm="", n=2):
            if line.startswith(("---", "+++")):
                continue
            kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
            lines.append((kind, html.escape(line)))
        out.append(FileDiff(path, status, tuple(lines)))
    return out


def export_to(files: Mapping[str, str], root: Path) -> list[Path]:
    """Write a version back to ``flows/`` and ``procedures_catalog/`` under ``root`` (the fresh-install source)."""
    written = []
    for rel, text in sorted(files.items()):
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ValueError(f"đường dẫn không hợp lệ: {rel}")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def export_zip(files: Mapping[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, text in sorted(files.items()):
            zf.writestr(rel, text.encode("utf-8"))
    return buf.getvalue()


@dataclass(frozen=True)
class VersionInfo:
    id: int
    created_at: dt.datetime
    author: str
    message: str
    published: bool
    rollback_of: int | None


def _info(r: Any) -> VersionInfo:
    return VersionInfo(r.id, r.created_at, r.author, r.message, bool(r.published), r.rollback_of)


class ContentVersions:
    """Publish/rollback against the database and the live `ContentStore`, announcing on pub/sub."""

    def __init__(self, engine: AsyncEngine, store: Any, pubsub: Any, root: Path,
                 clock: Any = None, require_all: bool = True):
        self.engine, self.store, self.pubsub, self.root = engine, store, pubsub, root
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.require_all = require_all
        self.live_version: int | None = None

    @property
    def spec(self) -> tuple[SpecEntry, ...]:
        return self.store.current.spec

    async def published(self) -> ContentVersion | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(ContentVersion).where(ContentVersion.published.is_(True))
                                      .order_by(ContentVersion.id.desc()).limit(1))).first()
        return row  # type: ignore[return-value]

    async def current_files(self) -> dict[str, str]:
        """The published set, or the shipped folders when nothing was ever published."""
        row = await self.published()
        return dict(row.files) if row is not None else folder_files(self.root)

    async def get(self, version_id: int) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(ContentVersion).where(ContentVersion.id == version_id))).first()

    async def history(self, limit: int = 50) -> list[VersionInfo]:
        cols = [ContentVersion.id, ContentVersion.created_at, ContentVersion.author, ContentVersion.message,
                ContentVersion.published, ContentVersion.rollback_of]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(*cols).order_by(ContentVersion.id.desc()).limit(limit))).all()
        return [_info(r) for r in rows]

    async def publish(self, files: Mapping[str, str], author: str, message: str,
                      rollback_of: int | None = None) -> int:
        """Validate, store as the published version, swap live content here and tell other workers."""
        snap = build_snapshot(files, self.spec, require_all=self.require_all)
        async with self.engine.begin() as conn:
            if (await conn.execute(select(ContentVersion.id).limit(1))).first() is None:
                # The first publish keeps the shipped files as version 1, so there is always an original to restore.
                await conn.execute(insert(ContentVersion).values(
                    created_at=self.clock(), author="hệ thống", message="Nội dung gốc từ các tệp cài đặt",
                    files=folder_files(self.root), digest=digest(folder_files(self.root)), published=False))
            await conn.execute(update(ContentVersion).where(ContentVersion.published.is_(True)).values(published=False))
            res = await conn.execute(insert(ContentVersion).values(
                created_at=self.clock(), author=author, message=message, files=dict(files),
                digest=digest(files), rollback_of=rollback_of, published=True))
            vid = int(res.inserted_primary_key[0])  # type: ignore[index]
        self.store.publish(snap)
        self.live_version = vid
        await self.pubsub.publish(TOPIC, {"version": vid})
        return vid

    async def rollback(self, version_id: int, author: str) -> int:
        """Publish a copy of an older version (history is never rewritten)."""
        row = await self.get(version_id)
        if row is None:
            raise KeyError(version_id)
        return await self.publish(dict(row.files), author, f"Khôi phục phiên bản #{version_id}", rollback_of=version_id)

    async def load_published(self) -> int | None:
        """Swap in the database's published version (start-up, and on another worker's announcement)."""
        row = await self.published()
        if row is None or row.id == self.live_version:
            return None
        # Served as published: a version from before dated prose was refused must not stop the bot.
        self.store.publish(build_snapshot(row.files, self.spec, require_all=self.require_all, dated_prose=False))
        self.live_version = row.id
        return row.id

    async def follow(self) -> None:
        """Background task: reload whenever any worker announces a publish."""
        async with self.pubsub.subscribe(TOPIC) as events:
            async for _ in events:
                await self.load_published()
