"""The one-stop desk's side of a draft: open by code or QR, read it in form order, record the official number
and the status, tell the citizen, and count for the reports.

HTTP lives in ``bot/web/dossiers/``; this module holds the decisions (who may see a draft, which status may
follow which, what the citizen is told) and the SQL of the ``drafts``/``draft_history`` tables.
A status change is one transaction (draft row + history row); the citizen's message then goes through
``apply(conversation_id, Notify(text))`` — the same path as an agent's message, so it is in the transcript and
reaches Telegram/Zalo by push, REST and the web chat with their next request.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dossier.codes import find_code, hash_token, normalize_code, token_matches
from bot.dossier.draft import VN, DraftContent, build_stored_draft
from bot.dossier.service import DRAFT_STATUS_VI
from bot.engine.context import DraftSummary
from bot.engine.inputs import Notify
from bot.handoff.routing import works_desk
from bot.storage.db import aware
from bot.storage.desk_models import draft_history
from bot.storage.repo import DRAFT_DELETED, LIVE_DRAFT, drafts

log = logging.getLogger(__name__)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("received", "needs_documents"),
    "received": ("needs_documents", "result_ready", "returned"),
    "needs_documents": ("received",),
    "result_ready": ("returned",),
    "returned": (),
    "submitted_online": ("received", "needs_documents", "result_ready", "returned"),   # filed on the portal
}
ACTION_VI = {  # the desk's button labels, also the history lines
    "received": "Đã tiếp nhận tại bộ phận một cửa",
    "needs_documents": "Yêu cầu bổ sung giấy tờ",
    "result_ready": "Đã có kết quả",
    "returned": "Đã trả kết quả",
}
ONLINE_BY_VI = {"online_citizen": "người dân tự nộp", "online_team": "tổ công nghệ số nộp giúp"}
NOTIFY_PHRASE = {s: f"desk_notify_{s}" for s in ACTION_VI} | {"number": "desk_notify_number"}
PROCESSED = ("result_ready", "returned")
MAX_NOTE = 500
MAX_NUMBER = 64
MAX_TYPED = 40  # how much of a typed code an error message repeats

# Officer-facing messages (the citizen's live in flows/_phrases.yml).
ERR_EMPTY = "Bạn nhập mã hồ sơ (ví dụ KS-7F3K2Q) hoặc quét mã QR trên tờ khai."
ERR_INVALID = ("Mã «{typed}» không đúng: mã hồ sơ gồm 2–3 chữ cái, dấu gạch ngang và 6 ký tự (ví dụ KS-7F3K2Q), "
               "ký tự cuối là ký tự kiểm tra nên chỉ cần gõ sai một ký tự là mã không hợp lệ. "
               "Bạn kiểm tra lại từng ký tự trên tờ khai nhé.")
ERR_UNKNOWN = "Không có hồ sơ nào mang mã «{code}»{typed}. Bạn kiểm tra lại mã trên tờ khai."
ERR_DELETED = ("Hồ sơ {code} đã được xóa theo yêu cầu của người dân hoặc hết thời hạn lưu giữ; chỉ còn số liệu "
               "thống kê. Người dân cần làm lại hồ sơ mới.")
ERR_FORBIDDEN = "Hồ sơ {code} thuộc tổ khác ({team}); bạn không có quyền xem hồ sơ này."
ERR_SCAN_NO_IMAGE = "Tệp gửi lên không phải ảnh đọc được. Bạn chụp lại mã QR trên tờ khai (JPG hoặc PNG)."
ERR_SCAN_NO_QR = ("Không đọc được mã QR trong ảnh. Bạn đưa mã QR ở góc trên bên phải tờ khai vào giữa khung hình, "
                  "giữ máy thẳng, đủ sáng rồi chụp lại — hoặc gõ mã hồ sơ vào ô trên.")
ERR_SCAN_NOT_OURS = "Mã QR trong ảnh không phải mã hồ sơ của Một cửa. Bạn quét mã QR in trên tờ khai."
ERR_SAME = "Hồ sơ {code} đã ở trạng thái «{status}»."
ERR_TRANSITION = "Không thể chuyển hồ sơ {code} từ «{old}» sang «{new}». {hint}"
ERR_DONE = "Hồ sơ đã trả kết quả, không đổi trạng thái được nữa."
ERR_NOTE_NEEDED = "Bạn ghi rõ giấy tờ người dân cần bổ sung."
ERR_NOTE_LONG = f"Ghi chú dài quá {MAX_NOTE} ký tự."
ERR_NUMBER_EMPTY = "Bạn nhập số hồ sơ trên hệ thống của tỉnh."
ERR_NUMBER_LONG = f"Số hồ sơ dài quá {MAX_NUMBER} ký tự."
ERR_NUMBER_BAD = "Số hồ sơ chỉ gồm chữ, số và các dấu thông thường (không có ký tự điều khiển)."
ERR_NUMBER_SAME = "Số hồ sơ {number} đã được ghi."
ERR_CONFLICT = "Hồ sơ vừa được cán bộ khác cập nhật. Bạn tải lại trang để xem trạng thái mới."
ERR_STATUS = "Trạng thái không hợp lệ."
ERR_NOT_OFFICER = ("Chỉ cán bộ một cửa ghi trạng thái và số hồ sơ; tài khoản của bạn chỉ xem được hồ sơ. "
                   "Quản trị viên cấp quyền bằng lệnh: motcua agent add TÊN --team TỔ --role officer.")
DEFAULT_PICKUP = "bộ phận một cửa"


class DeskError(Exception):
    """A refusal with its Vietnamese message and the HTTP status the page answers with."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DeskError):
    status = 404


class Forbidden(DeskError):
    status = 403


class InvalidTransition(DeskError):
    status = 409


class InvalidInput(DeskError):
    status = 422


class Conflict(DeskError):
    status = 409


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    official_number: str | None
    note: str | None

    @property
    def text(self) -> str:
        if self.action == "created":
            return "Người dân lập bản nháp hồ sơ"
        if self.action == "number":
            return f"Ghi số hồ sơ trên hệ thống của tỉnh: {self.official_number}"
        if self.action in ONLINE_BY_VI:   # filed on the national portal (bot/dossier/online.py)
            return f"Nộp trực tuyến trên Cổng Dịch vụ công ({ONLINE_BY_VI[self.action]}), mã hồ sơ: {self.official_number}"
        return ACTION_VI.get(self.to_status or "", self.to_status or "")

    @property
    def at_local(self) -> str:
        return aware(self.at).astimezone(VN).strftime("%H:%M %d/%m/%Y")


@dataclass
class DraftView:
    """Everything the desk page shows about one draft."""

    id: int
    code: str
    procedure_id: str
    procedure_name: str
    status: str
    official_number: str | None
    team: str
    complete_documents: bool
    conversation_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    content: DraftContent | None
    history: list[HistoryItem] = field(default_factory=list)

    @property
    def status_vi(self) -> str:
        return DRAFT_STATUS_VI.get(self.status, self.status)

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def pickup_default(self) -> str:
        """Where an officer left no note: the desk itself (the catalog's ``where`` is advice on submitting)."""
        return DEFAULT_PICKUP

    @property
    def ever_needed_documents(self) -> bool:
        return any(h.to_status == "needs_documents" for h in self.history)

    def export(self) -> dict[str, Any]:
        """The JSON export (``bot/dossier/schema.json``)."""
        if self.content is None:
            raise NotFound(f"Thủ tục của hồ sơ {self.code} không còn trong danh mục.")
        return self.content.to_json(self.code)


@dataclass(frozen=True)
class DeskCounts:
    """For the reports: drafts created in the period, received at the desk, processed, and received complete
    at the first visit (all documents, never sent back for more)."""

    created: int = 0
    received: int = 0
    processed: int = 0
    first_visit_complete: int = 0
    # Which drafts were received in the period, so a report can split ``received`` by commune.
    received_ids: frozenset[int] = field(default_factory=frozenset, compare=False)

    @property
    def first_visit_rate(self) -> float | None:
        return round(100 * self.first_visit_complete / self.received, 1) if self.received else None


def _typed(text: str) -> str:
    t = " ".join(unicodedata.normalize("NFC", text or "").split())
    return t if len(t) <= MAX_TYPED else t[: MAX_TYPED - 1] + "…"


def _sentence(note: str) -> str:
    """A note as the middle of a sentence the phrase finishes (no doubled full stop)."""
    return note.strip().rstrip(".;,。 ")


def read_code(text: str) -> str:
    """A code as typed or scanned at the desk → the canonical code, or ``InvalidInput`` naming what was typed.

    Case, spaces, dashes and the look-alikes O/0 and I/1/L are forgiven; a wrong check symbol is not."""
    if not (text or "").strip():
        raise InvalidInput(ERR_EMPTY)
    got = normalize_code(text, lookalikes=True)
    if got.code is None:
        raise InvalidInput(ERR_INVALID.format(typed=_typed(text)))
    return got.code


def code_from_qr(texts: Iterable[str]) -> str | None:
    """The draft code in a decoded QR: the printout's QR holds the officer URL ``…/dossiers/<code>``."""
    for t in texts:
        m = re.search(r"/dossiers/([^/?#\s]+)", t)
        candidate = m.group(1) if m else t.strip()
        got = normalize_code(candidate, lookalikes=True).code or find_code(t)
        if got:
            return got
    return None


def decode_qr(data: bytes) -> list[str]:
    """Texts of the QR codes in a photo (sync, CPU-bound: call through ``asyncio.to_thread``).

    Raises ``InvalidInput`` for bytes that are not an image or show no QR code."""
    from bot.dossier.cccd import CccdFailure, _open, _read_qr_texts

    img = _open(data)
    if isinstance(img, CccdFailure):
        raise InvalidInput(ERR_SCAN_NO_IMAGE)
    texts = _read_qr_texts(img)
    if not texts:
        raise InvalidInput(ERR_SCAN_NO_QR)
    return texts


def clean_note(text: str | None) -> str:
    t = " ".join(unicodedata.normalize("NFC", text or "").replace("\x00", "").split())
    if len(t) > MAX_NOTE:
        raise InvalidInput(ERR_NOTE_LONG)
    return t


def clean_official_number(text: str | None) -> str:
    """Non-empty, at most 64 characters, printable (no control or format characters)."""
    t = unicodedata.normalize("NFC", text or "").strip()
    if not t:
        raise InvalidInput(ERR_NUMBER_EMPTY)
    if len(t) > MAX_NUMBER:
        raise InvalidInput(ERR_NUMBER_LONG)
    if not t.isprintable() or any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for c in t):
        raise InvalidInput(ERR_NUMBER_BAD)
    return t


def check_transition(code: str, old: str, new: str) -> None:
    if new not in ACTION_VI:
        raise InvalidInput(ERR_STATUS)
    if old == new:
        raise InvalidTransition(ERR_SAME.format(code=code, status=DRAFT_STATUS_VI.get(old, old)))
    if new not in TRANSITIONS.get(old, ()):
        allowed = TRANSITIONS.get(old, ())
        hint = (ERR_DONE if not allowed else
                "Có thể chuyển sang: " + ", ".join(f"«{DRAFT_STATUS_VI[s]}»" for s in allowed) + ".")
        raise InvalidTransition(ERR_TRANSITION.format(code=code, old=DRAFT_STATUS_VI.get(old, old),
                                                      new=DRAFT_STATUS_VI.get(new, new), hint=hint))


class Desk:
    """One per worker. ``apply`` is the runner's ``apply(conversation_id, input)``."""

    def __init__(self, engine: AsyncEngine, content: Any, settings: Any, clock: Callable[[], dt.datetime],
                 apply: Callable[[int, Any], Awaitable[Any]]):
        self.engine = engine
        self.content = content
        self.settings = settings
        self.clock = clock
        self._apply = apply

    # --- reading -----------------------------------------------------------------------------

    async def _row(self, code: str) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(drafts).where(and_(drafts.c.code == code, LIVE_DRAFT)))).first()

    async def _deleted(self, code: str) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.execute(select(drafts.c.id).where(and_(drafts.c.code == code,
                                                                     drafts.c.status == DRAFT_DELETED)))
            return found.first() is not None

    def _team(self, team: str | None) -> str:
        return team or self.settings.handoff.default_team

    def _check_team(self, viewer: Any, code: str, team: str | None) -> None:
        if viewer.role != "admin" and self._team(team) != viewer.team:
            raise Forbidden(ERR_FORBIDDEN.format(code=code, team=self._team(team)))

    def content_of(self, row: Any) -> DraftContent | None:
        """The draft rebuilt from what the conversation stored, dated the day it was made."""
        proc = self.content.current.procedure(row.procedure_id)
        if proc is None:
            return None
        return build_stored_draft(proc, row.data or {}, self.settings.content.province, row.created_at,
                                  self.content.current.rules)

    async def resolve(self, text: str) -> str:
        """A typed/scanned code → the canonical code of an existing draft, or a clear error."""
        code = read_code(text)
        if await self._row(code) is None:
            if await self._deleted(code):
                raise NotFound(ERR_DELETED.format(code=code))
            typed = _typed(text)
            shown = f" (bạn nhập «{typed}»)" if typed.upper().replace(" ", "") != code else ""
            raise NotFound(ERR_UNKNOWN.format(code=code, typed=shown))
        return code

    async def resolve_qr(self, image: bytes) -> str:
        texts = await asyncio.to_thread(decode_qr, image)
        code = code_from_qr(texts)
        if code is None:
            raise InvalidInput(ERR_SCAN_NOT_OURS)
        return await self.resolve(code)

    async def open(self, viewer: Any, code: str) -> DraftView:
        row = await self._row(code)
        if row is None:
            raise NotFound((ERR_DELETED if await self._deleted(code) else ERR_UNKNOWN).format(code=code, typed=""))
        self._check_team(viewer, code, row.team)
        history = await self.history(row)
        content = self.content_of(row)
        proc = self.content.current.procedure(row.procedure_id)
        return DraftView(id=row.id, code=row.code, procedure_id=row.procedure_id,
                         procedure_name=proc.name if proc else row.procedure_id, status=row.status,
                         official_number=row.official_number, team=self._team(row.team),
                         complete_documents=bool(row.complete_documents), conversation_id=row.conversation_id,
                         created_at=row.created_at, updated_at=row.updated_at, content=content, history=history)

    async def history(self, row: Any) -> list[HistoryItem]:
        """The draft's life, oldest first: created, then every status and number the desk recorded."""
        async with self.engine.connect() as conn:
            hist = (await conn.execute(select(draft_history).where(draft_history.c.draft_id == row.id)
                                       .order_by(draft_history.c.id))).all()
        out = [HistoryItem(row.created_at, "người dân", "created", None, "draft", None, None)]
        return out + [HistoryItem(h.at, h.actor, h.action, h.from_status, h.to_status, h.official_number, h.note)
                      for h in hist]

    async def citizen(self, code: str, token: str | None) -> Any:
        """The draft row when ``token`` is its secret, else None (unknown code and wrong token look the same)."""
        row = await self._row(code) if len(code) <= 16 else None
        if row is None:
            hash_token(token or "-")  # same work either way
            return None
        return row if token_matches(token, row.token_hash) else None

    # --- acting ------------------------------------------------------------------------------

    @staticmethod
    def _check_officer(viewer: Any) -> None:
        if not works_desk(viewer.role):
            raise Forbidden(ERR_NOT_OFFICER)

    async def set_status(self, viewer: Any, code: str, status: str, note: str | None = None) -> DraftView:
        self._check_officer(viewer)
        view = await self.open(viewer, code)
        check_transition(code, view.status, status)
        text = clean_note(note)
        if status == "needs_documents" and not text:
            raise InvalidInput(ERR_NOTE_NEEDED)
        now = self.clock()
        async with self.engine.begin() as conn:
            res = await conn.execute(update(drafts).where(and_(drafts.c.id == view.id, drafts.c.status == view.status))
                                     .values(status=status, updated_at=now))
            if res.rowcount != 1:
                raise Conflict(ERR_CONFLICT)
            await conn.execute(insert(draft_history).values(
                draft_id=view.id, at=now, actor=viewer.username, action="status", from_status=view.status,
                to_status=status, note=text or None))
        await self._notify(view, NOTIFY_PHRASE[status], note=_sentence(text or view.pickup_default))
        return await self.open(viewer, code)

    async def set_number(self, viewer: Any, code: str, number: str | None) -> DraftView:
        self._check_officer(viewer)
        view = await self.open(viewer, code)
        value = clean_official_number(number)
        if value == view.official_number:
            raise InvalidInput(ERR_NUMBER_SAME.format(number=value))
        now = self.clock()
        async with self.engine.begin() as conn:
            await conn.execute(update(drafts).where(drafts.c.id == view.id)
                               .values(official_number=value, updated_at=now))
            await conn.execute(insert(draft_history).values(
                draft_id=view.id, at=now, actor=viewer.username, action="number", from_status=view.status,
                to_status=view.status, official_number=value))
        await self._notify(view, NOTIFY_PHRASE["number"], number=value)
        return await self.open(viewer, code)

    def message(self, view: DraftView, key: str, **values: str) -> str:
        return self.content.current.phrase(key, code=view.code, name=view.procedure_name, **values)

    async def _notify(self, view: DraftView, key: str, **values: str) -> None:
        """Tell the citizen; a failure is logged (the desk's change stands, the history shows it)."""
        if view.conversation_id is None:
            return
        # Web chat shows notices only in the browser that opened it: the draft's page keeps the history too.
        text = f"{self.message(view, key, **values)} {self.message(view, 'desk_notify_see_page')}"
        try:
            await self._apply(view.conversation_id, Notify(text))
        except Exception:
            log.exception("desk: could not notify the citizen of draft %s", view.code)

    # --- for the conversation ----------------------------------------------------------------

    async def summaries(self, conversation_id: int) -> tuple[DraftSummary, ...]:
        """The citizen's drafts for "/hoso" and ask_status: status, official number, latest note."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(drafts.c.id, drafts.c.code, drafts.c.procedure_id, drafts.c.status,
                                              drafts.c.official_number, drafts.c.updated_at)
                                       .where(drafts.c.conversation_id == conversation_id)
                                       .order_by(drafts.c.id))).all()
            notes: dict[int, str] = {}
            if rows:
                hist = (await conn.execute(select(draft_history.c.draft_id, draft_history.c.note)
                                           .where(and_(draft_history.c.draft_id.in_([r.id for r in rows]),
                                                       draft_history.c.action == "status"))
                                           .order_by(draft_history.c.id))).all()
                for h in hist:
                    notes[h.draft_id] = _sentence(h.note or "")
        snap = self.content.current
        out = []
        for r in rows:
            proc = snap.procedure(r.procedure_id)
            out.append(DraftSummary(code=r.code, procedure_name=proc.name if proc else r.procedure_id,
                                    status=DRAFT_STATUS_VI.get(r.status, r.status), status_key=r.status,
                                    official_number=r.official_number, note=notes.get(r.id) or None,
                                    updated_at=aware(r.updated_at).astimezone(VN) if r.updated_at else None))
        return tuple(out)


async def desk_counts(engine: AsyncEngine, start: dt.datetime, end: dt.datetime,
                      team: str | None = None, draft_ids: Collection[int] | None = None) -> DeskCounts:
    """Counts over [start, end): drafts created; drafts first received at the desk; drafts whose first
    result (result_ready or returned) came; and of the received ones, those with every document on the
    first visit (``complete_documents`` and never sent back with needs_documents). ``draft_ids`` narrows it to
    those drafts (one commune's)."""
    created_q = select(func.count()).select_from(drafts).where(and_(drafts.c.created_at >= start,
                                                                     drafts.c.created_at < end))
    if team is not None:
        created_q = created_q.where(drafts.c.team == team)
    status_rows = (select(draft_history.c.draft_id, draft_history.c.to_status, draft_history.c.at,
                          drafts.c.complete_documents)
                   .select_from(draft_history.join(drafts, drafts.c.id == draft_history.c.draft_id))
                   .where(draft_history.c.action == "status"))
    if team is not None:
        status_rows = status_rows.where(drafts.c.team == team)
    if draft_ids is not None:
        created_q = created_q.where(drafts.c.id.in_(list(draft_ids)))
        status_rows = status_rows.where(drafts.c.id.in_(list(draft_ids)))
    async with engine.connect() as conn:
        created = int((await conn.execute(created_q)).scalar_one())
        rows = (await conn.execute(status_rows.order_by(draft_history.c.id))).all()
    first_received: dict[int, dt.datetime] = {}
    first_done: dict[int, dt.datetime] = {}
    needed: set[int] = set()
    complete: dict[int, bool] = {}
    for r in rows:
        complete[r.draft_id] = bool(r.complete_documents)
        if r.to_status == "needs_documents":
            needed.add(r.draft_id)
        if r.to_status == "received":
            first_received.setdefault(r.draft_id, aware(r.at))
        if r.to_status in PROCESSED:
            first_done.setdefault(r.draft_id, aware(r.at))
    s, e = aware(start), aware(end)
    received = [d for d, at in first_received.items() if s <= at < e]
    processed = [d for d, at in first_done.items() if s <= at < e]
    first_visit = [d for d in received if complete[d] and d not in needed]
    return DeskCounts(created=created, received=len(received), processed=len(processed),
                      first_visit_complete=len(first_visit), received_ids=frozenset(received))
