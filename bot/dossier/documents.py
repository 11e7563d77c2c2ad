"""The draft's PDF for push channels that can send a file: ``draft:<code>`` document refs → bytes."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.storage.repo import LIVE_DRAFT, Repo, drafts

log = logging.getLogger(__name__)


class DraftDocuments:
    """Resolves ``draft:<code>`` document refs to PDF bytes with the dossier renderer.

    Returns None (the adapter then sends the secret link) when the renderer is not installed or fails.
    """

    def __init__(self, repo: Repo, content: Any, settings: Any, clock: Callable[[], dt.datetime]):
        self.repo = repo
        self.content = content
        self.settings = settings
        self.clock = clock

    async def __call__(self, ref: str) -> bytes | None:
        if not ref.startswith("draft:"):
            return None
        code = ref.split(":", 1)[1]
        try:
            from bot.dossier.draft import build_stored_draft
            from bot.dossier.render import render_pdf
        except ImportError:
            return None
        async with self.repo.engine.connect() as conn:
            row = (await conn.execute(select(drafts.c.procedure_id, drafts.c.data, drafts.c.created_at)
                                      .where(drafts.c.code == code, LIVE_DRAFT))).first()
        if row is None:
            return None
        proc = self.content.current.procedure(row.procedure_id)
        if proc is None:
            return None
        try:   # dated the day the draft was made, even when a retry delivers it later
            draft = build_stored_draft(proc, row.data or {}, self.settings.content.province, row.created_at,
                                       self.content.current.rules)
            pdf = await asyncio.to_thread(render_pdf, draft, code, self.settings.server.base_url)
        except Exception:
            log.exception("draft PDF could not be rendered; sending the link instead")
            return None
        return bytes(pdf) if pdf else None
