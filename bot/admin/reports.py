"""Commune reports computed from events, conversations and drafts for one team and period.

Every figure is a plain count over rows the bot already wrote, so the numbers an officer pastes
into a periodic report can be traced back to the database.
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dossier.desk import desk_counts
from bot.engine.events import EventType
from bot.privacy.masking import keep_ends
from bot.storage.db import aware
from bot.storage.desk_models import draft_history
from bot.storage.models import Conversation, Draft, EventRow
from bot.web.vntime import VN_TZ, vn_time

_LONG_DIGITS = re.compile(r"\d[\d .-]{4,}\d")


def mask_digits(text: str) -> str:
    """Hide ID/phone-like digit runs: reports are shared, personal numbers must not be."""
    return _LONG_DIGITS.sub(lambda m: keep_ends(m.group(0), 2, 2, "…"), text)

FUNNEL = (
    (EventType.PROCEDURE_IDENTIFIED, "Xác định thủ tục"),
    (EventType.DOCUMENTS_REACHED, "Đến bước giấy tờ"),
    (EventType.FIELDS_REACHED, "Đến bước điền thông tin"),
    (EventType.DRAFT_REQUESTED, "Tạo bản nháp hồ sơ"),
)
HANDOFF_REASONS_VI = {
    "citizen_request": "Người dân yêu cầu",
    "clarification_failed": "Bot không hiểu",
    "flow_step": "Bước cần cán bộ",
    "flow_option": "Lựa chọn cần cán bộ",
    "info_level": "Thủ tục chỉ hướng dẫn",
    "status_uncertain": "Hỏi tình trạng hồ sơ",
    "file_for_me": "Nhờ nộp trực tuyến giúp",
    "online_stuck": "Bị kẹt khi tự nộp trực tuyến",
}


@dataclass(frozen=True)
class Period:
    """Half-open interval [start, end) of Vietnamese calendar days (Asia/Ho_Chi_Minh), with a label for titles."""

    start: dt.datetime
    end: dt.datetime
    label: str

    @classmethod
    def of(cls, kind: str, today: dt.date, start: dt.date | None = None, end: dt.date | None = None) -> Period:
        """``day`` | ``week`` (Mon–Sun) | ``month`` containing ``today``, or ``custom`` [start, end] inclusive."""
        if kind == "day":
            a, b = today, today + dt.timedelta(days=1)
            label = f"Ngày {today:%d/%m/%Y}"
        elif kind == "week":
            a = today - dt.timedelta(days=today.weekday())
            b = a + dt.timedelta(days=7)
            label = f"Tuần {a:%d/%m/%Y} – {b - dt.timedelta(days=1):%d/%m/%Y}"
        elif kind == "month":
            a = today.replace(day=1)
            b = (a + dt.timedelta(days=32)).replace(day=1)
            label = f"Tháng {a:%m/%Y}"
        elif kind == "custom" and start and end and start <= end:
            a, b = start, end + dt.timedelta(days=1)
            label = f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
        else:
            raise ValueError("kỳ báo cáo không hợp lệ")
        return cls(dt.datetime.combine(a, dt.time(), VN_TZ), dt.datetime.combine(b, dt.time(), VN_TZ), label)


@dataclass
class Table:
    """A report table: ``key`` names the export file, ``headers``/``rows`` are what a commune pastes."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Report:
    team: str | None
    period: Period
    tables: dict[str, Table]
    commune: str | None = None

    @property
    def scope(self) -> str:
        where = f"Xã/phường {self.commune}" if self.commune else ""
        who = f"Tổ {self.team}" if self.team else ("" if where else "Tất cả các tổ")
        return " — ".join(x for x in (who, where) if x)


def _minutes(seconds: list[float]) -> tuple[float | None, float | None]:
    if not seconds:
        return None, None
    return round(statistics.fmean(seconds) / 60, 1), round(statistics.median(seconds) / 60, 1)


async def build_report(engine: AsyncEngine, period: Period, team: str | None = None,
                       name_of: Callable[[str], str] = lambda pid: pid, commune: str | None = None,
                       commune_name: Callable[[str], str] = lambda code: code,
                       now: dt.datetime | None = None) -> Report:
    """All tables of the dashboard for ``team`` (None = every team) and ``commune`` (its 2025 code; None = the
    whole province) in ``period``, plus the per-commune summary (see ``_commune_of``). ``now`` is the service's
    clock (what "abandoned" is measured against when the period has not ended yet); None = the real time."""
    events, conversations, drafts = await _rows(engine, period, team)
    per_commune = await _by_commune(engine, period, events, drafts, team)
    by_type: dict[str, list[Any]] = defaultdict(list)
    desk = province_desk = await desk_counts(engine, period.start, period.end, team)
    if commune is not None:
        events, conversations, drafts = _only(commune, per_commune, events, drafts)
        mine = [i for i, c in per_commune.draft.items() if c == commune]
        desk = await desk_counts(engine, period.start, period.end, team, draft_ids=mine)
    for e in events:
        by_type[e.type].append(e)
    handoffs, requested = _handoffs(events)
    ratings, rc = _ratings(by_type)
    total_ratings = sum(rc.get(s, 0) for s in range(1, 6))
    avg_rating = round(sum(s * rc.get(s, 0) for s in range(1, 6)) / total_ratings, 2) if total_ratings else None
    summary = Table("tong_hop", "Tổng hợp", ["Chỉ tiêu", "Giá trị"], [
        ["Cuộc trò chuyện mới", conversations],
        ["Lượt xác định thủ tục", len(by_type[EventType.PROCEDURE_IDENTIFIED])],
        ["Bản nháp hồ sơ", len(drafts)],
        ["Lượt chuyển cán bộ", sum(requested.values())],
        ["Tin nhắn bot không hiểu", len(by_type[EventType.UNRECOGNIZED])],
        ["Lượt đánh giá", total_ratings],
        ["Điểm hài lòng trung bình (1–5)", avg_rating],
    ])
    # The desk: how many drafts reached the counter, were processed, and came complete at the first visit
    # (the figure that shows whether the bot saves citizens a second trip). See bot/dossier/desk.py.
    intake = Table("tiep_nhan", "Tiếp nhận tại bộ phận một cửa", ["Chỉ tiêu", "Số hồ sơ"], [
        ["Bản nháp hồ sơ được lập", desk.created],
        ["Hồ sơ đã tiếp nhận tại bộ phận một cửa", desk.received],
        ["Hồ sơ đã giải quyết (có kết quả hoặc đã trả)", desk.processed],
        ["Tiếp nhận đủ giấy tờ ngay lần đầu", desk.first_visit_complete],
        ["Tỷ lệ đủ giấy tờ ngay lần đầu (%)", desk.first_visit_rate],
    ])
    outcomes = await _outcomes(engine, drafts, min(aware(period.end), aware(now or dt.datetime.now(dt.UTC))))
    unrec = Table("khong_hieu", "Tin nhắn bot không hiểu (gần nhất)", ["Thời điểm (giờ Việt Nam)", "Nội dung"])
    for e in list(reversed(by_type[EventType.UNRECOGNIZED]))[:100]:
        unrec.rows.append([vn_time(e.created_at), mask_digits(str((e.data or {}).get("text", "")))])
    tables = {t.key: t for t in (summary, _top(by_type, name_of), _funnel(by_type), _drafts(drafts, name_of), intake, outcomes,
                                 handoffs, ratings, unrec, _commune_table(per_commune, events, drafts, commune, province_desk.received_ids,
                                                                commune_name))}
    return Report(team=team, period=period, tables=tables, commune=commune_name(commune) if commune else None)


async def _rows(engine: AsyncEngine, period: Period, team: str | None) -> tuple[Any, int, Any]:
    """The period's events (in order), the number of new conversations, and the drafts made."""
    ev_q = (select(EventRow.id, EventRow.type, EventRow.data, EventRow.conversation_id, EventRow.created_at,
                   EventRow.commune)
            .where(EventRow.created_at >= period.start, EventRow.created_at < period.end)
            .order_by(EventRow.id))
    conv_q = select(func.count()).select_from(Conversation).where(
        Conversation.created_at >= period.start, Conversation.created_at < period.end)
    draft_q = (select(Draft.id, Draft.procedure_id, Draft.complete_documents, Draft.conversation_id, Draft.created_at)
               .where(Draft.created_at >= period.start, Draft.created_at < period.end))
    if team is not None:
        ev_q = ev_q.where(EventRow.team == team)
        conv_q = conv_q.where(Conversation.team == team)
        draft_q = draft_q.where(Draft.team == team)
    async with engine.connect() as conn:
        events = (await conn.execute(ev_q)).all()
        conversations = int((await conn.execute(conv_q)).scalar_one())
        drafts = (await conn.execute(draft_q)).all()
    return events, conversations, drafts


def _commune_of(state: dict[str, Any] | None, drafts: list[dict[str, Any]]) -> str | None:
    """A conversation's commune code for rows written before events and drafts recorded theirs (migration
    0009_h21commune): the conversation state's ``commune``, else a draft's ``commune_code``. Recorded communes
    come first (``_by_commune``), so figures do not move when the citizen later moves or erases their data. The
    routed team is never used: several communes may share a team and a handoff falls back to the province team
    off-hours, so a team does not say which commune it was."""
    code = (state or {}).get("commune")
    if code:
        return str(code)
    return next((str(d["commune_code"]) for d in drafts if (d or {}).get("commune_code")), None)


@dataclass
class _Communes:
    """Each conversation's commune, each event's and draft's, and the conversations started in the period."""

    of: dict[Any, str | None]
    new: set[Any]
    draft: dict[int, str | None]
    event: dict[int, str | None]


async def _by_commune(engine: AsyncEngine, period: Period, events: Any, drafts: Any, team: str | None) -> _Communes:
    """The commune of every conversation and draft the period touches: conversations started or with events in
    it, drafts made in it or changed since its start (a draft received at the desk in the period)."""
    dr_q = select(Draft.id, Draft.conversation_id, Draft.data, Draft.commune).where(
        Draft.created_at < period.end, (Draft.created_at >= period.start) | (Draft.updated_at >= period.start))
    async with engine.connect() as conn:
        touched = (await conn.execute(dr_q)).all()
        ids = {e.conversation_id for e in events} | {d.conversation_id for d in touched}
        conv_q = select(Conversation.id, Conversation.state, Conversation.created_at, Conversation.team).where(
            (Conversation.created_at >= period.start) & (Conversation.created_at < period.end)
            | Conversation.id.in_([i for i in ids if i is not None]))
        convs = (await conn.execute(conv_q)).all()
        by_conv: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        conv_ids = [c.id for c in convs] or [-1]
        for d in (await conn.execute(select(Draft.conversation_id, Draft.data)
                                     .where(Draft.conversation_id.in_(conv_ids)))).all():
            by_conv[d.conversation_id].append(d.data or {})
    recorded: dict[Any, str] = {}
    for e in events:   # in order: the first commune a conversation recorded in the period stays its commune, so a
        if e.commune:  # later move (or erasure) never moves a figure already reported
            recorded.setdefault(e.conversation_id, e.commune)
    of = {c.id: recorded.get(c.id) or _commune_of(c.state, by_conv[c.id]) for c in convs}
    draft = {d.id: d.commune or (d.data or {}).get("commune_code") or of.get(d.conversation_id) for d in touched}
    event = {e.id: e.commune or of.get(e.conversation_id) for e in events}
    start, end = period.start, period.end
    new = {c.id for c in convs if start <= aware(c.created_at) < end and (team is None or c.team == team)}
    return _Communes(of=of, new=new, draft=draft, event=event)


def _only(commune: str, cs: _Communes, events: Any, drafts: Any) -> tuple[Any, int, Any]:
    """The rows of one commune: a draft by its own ``commune_code`` when it has one, else by its conversation."""
    return ([e for e in events if cs.event.get(e.id) == commune],
            sum(1 for c in cs.new if cs.of.get(c) == commune),
            [d for d in drafts if cs.draft.get(d.id) == commune])


COMMUNE_HEADERS = ["Xã/phường", "Cuộc trò chuyện mới", "Lượt xác định thủ tục", "Bản nháp hồ sơ",
                   "Đã tiếp nhận tại một cửa", "Lượt chuyển cán bộ", "Đã tiếp nhận chuyển", "Tổng phút chờ",
                   "Chờ TB (phút)", "Lượt đánh giá", "Tổng điểm", "Điểm TB (1–5)"]


def _commune_table(cs: _Communes, events: Any, drafts: Any, only: str | None, received: Collection[int],
                   name: Callable[[str], str]) -> Table:
    """One row per commune and a province row that is their sum (averages recomputed from the sums, so they
    add up too). Conversations with no known commune get their own row ("Chưa xác định")."""
    keys = sorted({v or "" for v in cs.of.values()} | {v or "" for v in cs.draft.values()}
                  | {v or "" for v in cs.event.values()})
    if only is not None:
        keys = [only]
    table = Table("theo_xa", "Theo xã, phường", COMMUNE_HEADERS)
    total: list[float] = [0] * 9
    for key in keys:
        ev, new, dr = _only(key, cs, events, drafts) if key else _unknown(cs, events, drafts)
        by_type: dict[str, list[Any]] = defaultdict(list)
        for e in ev:
            by_type[e.type].append(e)
        _t, requested = _handoffs(ev)
        claimed, waited = _waits(ev)
        scores = [int((e.data or {}).get("rating", 0)) for e in by_type[EventType.RATING_GIVEN]]
        scores = [s for s in scores if 1 <= s <= 5]
        row = [new, len(by_type[EventType.PROCEDURE_IDENTIFIED]), len(dr), sum(1 for i in received if (cs.draft.get(i) or "") == key),
               sum(requested.values()), claimed, round(waited, 1), len(scores), sum(scores)]
        total = [a + b for a, b in zip(total, row, strict=True)]
        if any(row) or only is not None:
            table.rows.append([name(key) if key else "Chưa xác định", *_with_means(row)])
    if only is None:
        table.rows.append(["Toàn tỉnh", *_with_means(total)])
    return table


def _with_means(row: list[Any]) -> list[Any]:
    new, asked, dr, rec, req, claimed, waited, rated, points = row
    return [new, asked, dr, rec, req, claimed, round(waited, 1), round(waited / claimed, 1) if claimed else None,
            rated, points, round(points / rated, 2) if rated else None]


def _unknown(cs: _Communes, events: Any, drafts: Any) -> tuple[Any, int, Any]:
    return ([e for e in events if not cs.event.get(e.id)],
            sum(1 for c in cs.new if not cs.of.get(c)),
            [d for d in drafts if not cs.draft.get(d.id)])


def _waits(events: Any) -> tuple[int, float]:
    """Handoffs claimed and their total wait in minutes (request → claim), so a province total is a sum."""
    open_req: dict[Any, dt.datetime] = {}
    n, minutes = 0, 0.0
    for e in events:
        if e.type == EventType.HANDOFF_REQUESTED:
            open_req[e.conversation_id] = aware(e.created_at)
        elif e.type == EventType.AGENT_CLAIMED and e.conversation_id in open_req:
            n += 1
            minutes += (aware(e.created_at) - open_req.pop(e.conversation_id)).total_seconds() / 60
        elif e.type == EventType.HANDOFF_CANCELLED:
            open_req.pop(e.conversation_id, None)
    return n, minutes


def _funnel(by_type: dict[str, list[Any]]) -> Table:
    """Distinct conversations reaching each stage."""
    funnel = Table("pheu", "Phễu hoàn thành", ["Giai đoạn", "Số cuộc trò chuyện", "Tỷ lệ so với bước đầu (%)"])
    first = None
    for etype, label in FUNNEL:
        n = len({e.conversation_id for e in by_type[etype]})
        first = n if first is None else first
        funnel.rows.append([label, n, round(100 * n / first, 1) if first else 0.0])
    return funnel


def _top(by_type: dict[str, list[Any]], name_of: Callable[[str], str]) -> Table:
    top = Table("thu_tuc", "Thủ tục được hỏi nhiều nhất", ["STT", "Thủ tục", "Mã thủ tục", "Số lượt"])
    counts = Counter(str((e.data or {}).get("procedure_id")) for e in by_type[EventType.PROCEDURE_IDENTIFIED])
    for i, (pid, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), 1):
        top.rows.append([i, name_of(pid), pid, n])
    return top


def _drafts(drafts: Any, name_of: Callable[[str], str]) -> Table:
    dtable = Table("ho_so", "Bản nháp hồ sơ", ["Thủ tục", "Mã thủ tục", "Số bản nháp", "Đủ giấy tờ", "Thiếu giấy tờ"])
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in drafts:
        per[d.procedure_id][0 if d.complete_documents else 1] += 1
    for pid, (ok, lack) in sorted(per.items(), key=lambda kv: -sum(kv[1])):
        dtable.rows.append([name_of(pid), pid, ok + lack, ok, lack])
    return dtable


ABANDONED_AFTER = dt.timedelta(days=30)   # a draft neither filed online nor brought to the desk after this is abandoned
OUTCOMES_VI = {
    "online_citizen": "Người dân tự nộp trực tuyến (cán bộ không phải nhập lại)",
    "online_team": "Tổ công nghệ số nộp trực tuyến giúp",
    "desk": "Mang đến bộ phận một cửa",
    "abandoned": "Bỏ dở (quá 30 ngày chưa nộp)",
    "open": "Chưa nộp (lập chưa đến 30 ngày)",
}


async def _outcomes(engine: AsyncEngine, drafts: Any, now: dt.datetime) -> Table:
    """The period's drafts by how they were filed: online by the citizen, by the digital team (draft_history
    ``online_*``, bot/dossier/online.py), at the desk (any status the desk recorded), or abandoned."""
    ids = [d.id for d in drafts]
    actions: dict[int, set[str]] = defaultdict(set)
    if ids:
        async with engine.connect() as conn:
            for h in await conn.execute(select(draft_history.c.draft_id, draft_history.c.action)
                                        .where(draft_history.c.draft_id.in_(ids))):
                actions[h.draft_id].add(h.action)
    counts: Counter[str] = Counter()
    for d in drafts:
        done = actions.get(d.id, set())
        created = aware(d.created_at)
        kind = next((k for k in ("online_citizen", "online_team") if k in done), None) or (
            "desk" if "status" in done else "abandoned" if created < aware(now) - ABANDONED_AFTER else "open")
        counts[kind] += 1
    table = Table("cach_nop", "Hồ sơ theo cách nộp", ["Cách nộp", "Số hồ sơ", "Tỷ lệ (%)"])
    for key, label in OUTCOMES_VI.items():
        table.rows.append([label, counts[key], round(100 * counts[key] / len(drafts), 1) if drafts else 0.0])
    return table


def _handoffs(events: Any) -> tuple[Table, Counter[str]]:
    """Wait = request → claim, handling = claim → return/close, per conversation in order; and requests by reason."""
    handoffs = Table("chuyen_can_bo", "Chuyển cán bộ",
                     ["Lý do", "Số lượt", "Đã tiếp nhận", "Chờ TB (phút)", "Chờ trung vị (phút)",
                      "Xử lý TB (phút)"])
    open_req: dict[Any, tuple[str, dt.datetime]] = {}
    claimed: dict[Any, tuple[str, dt.datetime]] = {}
    waits: dict[str, list[float]] = defaultdict(list)
    handling: dict[str, list[float]] = defaultdict(list)
    requested: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    for e in events:
        cid, at = e.conversation_id, aware(e.created_at)
        if e.type == EventType.HANDOFF_REQUESTED:
            reason = str((e.data or {}).get("reason") or "khác")
            requested[reason] += 1
            open_req[cid] = (reason, at)
        elif e.type == EventType.AGENT_CLAIMED and cid in open_req:
            reason, t0 = open_req.pop(cid)
            taken[reason] += 1
            waits[reason].append((at - t0).total_seconds())
            claimed[cid] = (reason, at)
        elif e.type in (EventType.AGENT_RETURNED, EventType.AGENT_CLOSED) and cid in claimed:
            reason, t0 = claimed.pop(cid)
            handling[reason].append((at - t0).total_seconds())
        elif e.type == EventType.HANDOFF_CANCELLED:
            open_req.pop(cid, None)
    for reason, n in requested.most_common():
        avg_w, med_w = _minutes(waits[reason])
        avg_h, _ = _minutes(handling[reason])
        handoffs.rows.append([HANDOFF_REASONS_VI.get(reason, reason), n, taken[reason], avg_w, med_w, avg_h])
    return handoffs, requested


def _ratings(by_type: dict[str, list[Any]]) -> tuple[Table, Counter[int]]:
    ratings = Table("danh_gia", "Mức độ hài lòng", ["Điểm", "Số lượt"])
    rc = Counter(int((e.data or {}).get("rating", 0)) for e in by_type[EventType.RATING_GIVEN])
    for score in range(5, 0, -1):
        ratings.rows.append([score, rc.get(score, 0)])
    return ratings, rc


async def active_communes(engine: AsyncEngine, period: Period) -> set[str]:
    """The codes of the communes with any conversation, event or draft in ``period`` (for the daily files)."""
    events, _n, drafts = await _rows(engine, period, None)
    cs = await _by_commune(engine, period, events, drafts, None)
    return {c for c in (*cs.of.values(), *cs.draft.values()) if c}
