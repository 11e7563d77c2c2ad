"""Answers at any moment: fee, time limit, where to submit, documents, legal basis — from the catalog,
short, with the source named and unverified facts flagged."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.content.catalog import Fact, Procedure
from bot.content.elsewhere import Elsewhere
from bot.content.rules import render_rules
from bot.engine import events as ev
from bot.engine.messages import Button
from bot.engine.turn import Out


def _sources(proc: Procedure, ids: Sequence[str]) -> str:
    titles = {s.id: s.title for s in proc.sources}
    return "; ".join(titles.get(i, i) for i in ids)


def _with_source(out: Out, proc: Procedure, text: str, ids: Sequence[str], verified: bool) -> str:
    parts = [text]
    if ids:
        parts.append(out.p("source_named", sources=_sources(proc, ids)))
    if not verified:
        parts.append(out.p("unverified_note"))
    return " ".join(parts)


def _fact(out: Out, proc: Procedure, key: str, fact: Fact | None) -> None:
    if fact is None:
        out.phrase("no_info", name=proc.name)
        return
    out.say(_with_source(out, proc, out.p(key, name=proc.name, text=fact.text), fact.sources, fact.verified))


def answer_fee(out: Out, proc: Procedure) -> None:
    fee, province = proc.fee_for(out.ctx.province)
    if fee is None:
        out.phrase("no_info", name=proc.name)
        return
    lines = [out.p("fee_answer", name=proc.name, text=fee.text)]
    # an exemption that is a time-limited rule drops out of the list once it has ended
    exemptions = [t for e in fee.exemptions if (t := render_rules(e, out.ctx.content.rules, out.ctx.today))]
    if exemptions:
        lines.append("Miễn: " + "; ".join(exemptions) + ".")
    lines.append(out.p("fee_rule_province", province=province) if province else out.p("fee_rule_national"))
    if fee.vneid_exemption:
        lines.append(fee.vneid_exemption)
    out.say(_with_source(out, proc, "\n".join(lines), fee.sources, fee.verified))
    _changes(out, proc)


def _changes(out: Out, proc: Procedure) -> None:
    """Resolutions in force that change the procedure: told with the fee and the legal basis (no longer before the
    first question, issue 16)."""
    for ch in proc.active_changes(out.ctx.today):
        out.phrase("change_active", resolution=ch.resolution, window=_window(ch.valid_from, ch.valid_to), note=ch.note)


def _window(start: dt.date | None, end: dt.date | None) -> str:
    """'15/08/2026–28/02/2027', 'từ 01/01/2026', 'đến 28/02/2027' or 'đang áp dụng'."""
    fmt = "%d/%m/%Y"
    if start and end:
        return f"{start.strftime(fmt)}–{end.strftime(fmt)}"
    if start:
        return f"từ {start.strftime(fmt)}"
    if end:
        return f"đến {end.strftime(fmt)}"
    return "đang áp dụng"


def answer_duration(out: Out, proc: Procedure) -> None:
    fact, province = proc.time_limit_for(out.ctx.province)
    _fact(out, proc, "duration_answer", fact)
    if fact is not None and province:
        out.phrase("fee_rule_province", province=province)


def answer_where(out: Out, proc: Procedure) -> None:
    if proc.submission is None:
        out.phrase("no_info", name=proc.name)
        return
    _fact(out, proc, "where_answer", proc.submission.where)
    if proc.submission.online_note:
        note = proc.submission.online_note
        out.say(_with_source(out, proc, out.p("online_answer", text=note.text), note.sources, note.verified))


def answer_legal(out: Out, proc: Procedure) -> None:
    if not proc.legal_basis:
        out.phrase("no_info", name=proc.name)
        return
    ids = [s for f in proc.legal_basis for s in f.sources]
    text = out.p("legal_answer", name=proc.name, text="; ".join(f.text for f in proc.legal_basis))
    out.say(_with_source(out, proc, text, list(dict.fromkeys(ids)), all(f.verified for f in proc.legal_basis)))
    _changes(out, proc)


def answer_documents(out: Out, proc: Procedure, doc_ids: Sequence[str] | None = None) -> None:
    docs = [d for d in proc.documents if doc_ids is None or d.id in doc_ids]
    if not docs:
        out.phrase("no_info", name=proc.name)
        return
    lines = [out.p("documents_answer", name=proc.name)]
    for i, d in enumerate(docs, 1):
        when = f" — {d.applies_when}" if d.applies_when and doc_ids is None else ""
        lines.append(f"{i}. {d.name} ({out.p('form_' + d.form.value)}){when}")
    ids = [s for d in docs for s in d.sources]
    out.say(_with_source(out, proc, "\n".join(lines), list(dict.fromkeys(ids)), all(d.verified for d in docs)))


def answer_elsewhere(out: Out, entry: Elsewhere) -> None:
    """Say which body handles a request the commune does not, rather than guess a commune procedure."""
    facts = [f for f in (entry.authority, entry.how) if f is not None]
    lines = [out.p("elsewhere_intro", name=entry.name), *(f.text for f in facts)]
    if not all(f.verified for f in facts):
        lines.append(out.p("elsewhere_unverified"))
    out.emit(ev.ElsewhereReferred(id=entry.id))
    out.say("\n".join(lines), buttons=(Button(out.p("human_button"), "/canbo"),))
