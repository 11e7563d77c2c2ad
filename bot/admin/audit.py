"""Content audit: which facts an admin should check, and a way to record that they did.

Per procedure it lists the facts marked ``verified: false``, the facts that cite no source, the facts that
cite a source id the file does not define, and the time-limited rules ending soon. It reads the YAML texts
themselves (not a validated snapshot), so it still reports on a content set that does not load.
Marking a fact verified rewrites its file (comments and layout kept) and is published as a content version
whose author is the admin and whose message names the source, so the version history records who checked what.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.catalog import Procedure
from bot.content.elsewhere import ELSEWHERE_FILE, ElsewhereList
from bot.content.loader import parse_model
from bot.content.online import ONLINE_FILE, OnlineGuide
from bot.content.rules import EXPIRY_WARNING_DAYS, RULE_REF, RULES_FILE, Rule, RuleList
from bot.content.yamlsrc import ContentErrors, YamlDoc, load_yaml

if TYPE_CHECKING:   # ruamel.yaml is imported when a fact is marked verified, not by every worker's start (~9 ms)
    from ruamel.yaml import YAML

CATALOG = "procedures_catalog/"
ONLINE_OWNER = "_online"
# Fact-bearing keys of a catalog entry, in the order an admin reads the file.
_SINGLE = ("national_code", "authority", "dossier_sets", "time_limit", "fee", "result", "form")
_LISTS = ("legal_basis", "documents", "changes")


@dataclass(frozen=True)
class AuditFact:
    """One statement a citizen acts on, where it is, and what backs it."""

    owner: str                  # procedure id, or "_elsewhere:<id>"
    file: str
    line: int
    path: str                   # e.g. "fee", "documents.2", "submission.where"
    text: str
    verified: bool
    sources: tuple[str, ...]
    missing_sources: tuple[str, ...]   # cited ids the file does not define


@dataclass
class OwnerAudit:
    """What an admin should look at for one procedure (or one referral)."""

    owner: str
    name: str
    file: str
    facts: list[AuditFact] = field(default_factory=list)
    expiring: list[Rule] = field(default_factory=list)

    @property
    def unverified(self) -> list[AuditFact]:
        return [f for f in self.facts if not f.verified]

    @property
    def unsourced(self) -> list[AuditFact]:
        return [f for f in self.facts if not f.sources]

    @property
    def dangling(self) -> list[AuditFact]:
        return [f for f in self.facts if f.missing_sources]

    @property
    def needs_attention(self) -> bool:
        return bool(self.unverified or self.unsourced or self.dangling or self.expiring)


@dataclass
class AuditReport:
    today: dt.date
    owners: list[OwnerAudit]
    rules: list[Rule]
    unreadable: list[str]       # files that could not be read at all (their errors)

    @property
    def facts(self) -> list[AuditFact]:
        return [f for o in self.owners for f in o.facts]

    def figures(self) -> dict[str, Any]:
        facts = self.facts
        total = len(facts)
        unverified = sum(not f.verified for f in facts)
        return {
            "facts": total, "unverified": unverified,
            "unverified_pct": round(100 * unverified / total, 1) if total else 0.0,
            "unsourced": sum(not f.sources for f in facts),
            "unsourced_unverified": sum(not f.sources and not f.verified for f in facts),
            "dangling": sum(bool(f.missing_sources) for f in facts),
            "expiring": sum(r.expires_within(self.today) for r in self.rules),
            "procedures": sum(not o.owner.startswith("_") for o in self.owners),
        }


def _excerpt(text: str, limit: int = 160) -> str:
    flat = RULE_REF.sub(lambda m: f"[quy định {m.group(1)}]", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _fact_text(key: str, obj: Any) -> str:
    for attr in ("text", "name", "note"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return value if attr != "note" else f"{getattr(obj, 'resolution', '')}: {value}"
    return key


def _catalog_facts(proc: Procedure) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, fact-like object with text/sources/verified) of every fact of an entry."""
    for key in _SINGLE:
        obj = getattr(proc, key)
        if obj is not None:
            yield (key,), obj
    if proc.submission is not None:
        yield ("submission", "where"), proc.submission.where
        if proc.submission.online_note is not None:
            yield ("submission", "online_note"), proc.submission.online_note
    for key in _LISTS:
        for i, obj in enumerate(getattr(proc, key)):
            yield (key, i), obj
    for prov, ov in proc.province_overrides.items():
        for key in ("fee", "time_limit"):
            if getattr(ov, key) is not None:
                yield ("province_overrides", prov, key), getattr(ov, key)


def _owner_from_catalog(name: str, doc: YamlDoc) -> OwnerAudit:
    proc = parse_model(doc, Procedure)
    known = {s.id for s in proc.sources}
    out = OwnerAudit(proc.id, proc.name, name)
    for path, obj in _catalog_facts(proc):
        srcs = tuple(obj.sources)
        out.facts.append(AuditFact(proc.id, name, doc.line_of(path), ".".join(map(str, path)),
                                   _excerpt(_fact_text(str(path[0]), obj)), bool(obj.verified), srcs,
                                   tuple(s for s in srcs if s not in known)))
    return out


def _owners_from_elsewhere(name: str, doc: YamlDoc) -> list[OwnerAudit]:
    data = dict(doc.data or {})
    lst = ElsewhereList.model_validate({**data, "sources": data.get("sources") or []}) if data else ElsewhereList()
    known = {s.id for s in lst.sources}
    out = []
    for i, e in enumerate(lst.entries):
        owner = OwnerAudit(f"_elsewhere:{e.id}", e.name, name)
        for key in ("authority", "how"):
            fact = getattr(e, key)
            if fact is not None:
                owner.facts.append(AuditFact(owner.owner, name, doc.line_of(("entries", i, key)), f"entries.{i}.{key}",
                                             _excerpt(fact.text), fact.verified, fact.sources,
                                             tuple(s for s in fact.sources if s not in known)))
        out.append(owner)
    return out


def _owner_from_online(name: str, doc: YamlDoc) -> OwnerAudit:
    """The guided online filing's steps (flows/_online.yml): each step and each procedure's own wording."""
    guide = parse_model(doc, OnlineGuide)
    known = {s.id for s in guide.sources}
    owner = OwnerAudit(ONLINE_OWNER, "Hướng dẫn tự nộp trực tuyến", name)
    items: list[tuple[tuple[str | int, ...], Any]] = [(("steps", i), st) for i, st in enumerate(guide.steps)]
    items += [(("procedures", pid, "steps", sid), ov) for pid, po in guide.procedures.items()
              for sid, ov in po.steps.items()]
    for path, st in items:
        owner.facts.append(AuditFact(owner.owner, name, doc.line_of(path), ".".join(map(str, path)),
                                     _excerpt(st.say), st.verified, st.sources,
                                     tuple(x for x in st.sources if x not in known)))
    return owner


def audit(files: Mapping[str, str], today: dt.date) -> AuditReport:
    """The audit of a content set given as ``{relative path: YAML text}``."""
    owners: list[OwnerAudit] = []
    unreadable: list[str] = []
    rules: list[Rule] = []
    for name in sorted(k for k in files if k.startswith(CATALOG) and k.endswith(".yml")):
        base = Path(name).name
        if base.startswith("_") and base not in (ELSEWHERE_FILE, RULES_FILE):
            continue
        try:
            doc = load_yaml(files[name], name)
            if base == RULES_FILE:
                rules = list(parse_model(doc, RuleList).rules)
            elif base == ELSEWHERE_FILE:
                owners += _owners_from_elsewhere(name, doc)
            else:
                owners.append(_owner_from_catalog(name, doc))
        except ContentErrors as exc:
            unreadable += [str(e) for e in exc.errors]
        except ValueError as exc:
            unreadable.append(f"{name}: {exc}")
    online = next((k for k in files if k.startswith("flows/") and Path(k).name == ONLINE_FILE), None)
    if online is not None:
        try:
            owners.append(_owner_from_online(online, load_yaml(files[online], online)))
        except ContentErrors as exc:
            unreadable += [str(e) for e in exc.errors]
    owners.sort(key=lambda o: (o.owner.startswith("_"), o.owner))   # procedures first, then referrals
    by_id = {o.owner: o for o in owners}
    for rule in rules:
        if rule.expires_within(today, EXPIRY_WARNING_DAYS):
            for pid in rule.procedures or ("",):
                if pid in by_id:
                    by_id[pid].expiring.append(rule)
    return AuditReport(today, owners, rules, unreadable)


# --- marking a fact verified ----------------------------------------------------------------------

def _yaml() -> YAML:
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


class AuditError(ValueError):
    """A mark-verified request that cannot be applied; the message is for the admin."""


def _node(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise AuditError(f"không tìm thấy mục '{path}' trong tệp") from None
    if not isinstance(node, dict) or "verified" not in node and "sources" not in node and "text" not in node:
        raise AuditError(f"mục '{path}' không phải một thông tin có nguồn")
    return node


def _source_id(sources: list[Any], url: str, title: str) -> str:
    """The id of the source with this URL, adding it (S<next>) when the file does not cite it yet."""
    for s in sources:
        if isinstance(s, dict) and s.get("url") == url:
            return str(s["id"])
    taken = {str(s.get("id")) for s in sources if isinstance(s, dict)}
    n = 1 + max((int(i[1:]) for i in taken if i[:1] == "S" and i[1:].isdigit()), default=0)
    while f"S{n}" in taken:
        n += 1
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap(id=f"S{n}", title=title or url, url=url)
    entry.fa.set_flow_style()
    sources.append(entry)
    return f"S{n}"


def mark_verified(text: str, path: str, url: str, title: str = "") -> tuple[str, str]:
    """``text`` with the fact at ``path`` verified and citing ``url``; returns (new text, source id)."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise AuditError("nguồn phải là một đường dẫn http:// hoặc https://")
    y = _yaml()
    data = y.load(text)
    fact = _node(data, path)
    if data.get("sources") is None:
        data["sources"] = []
    sid = _source_id(data["sources"], url, " ".join(title.split())[:300])
    cited = fact.get("sources")
    if cited is None:
        from ruamel.yaml.comments import CommentedSeq

        seq = CommentedSeq([sid])
        seq.fa.set_flow_style()
        fact["sources"] = seq
    elif sid not in cited:
        cited.append(sid)
    fact["verified"] = True
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue(), sid


# --- the report as text (CLI) ---------------------------------------------------------------------

def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}".replace(".", ",") + " %" if total else "0 %"


def summary_lines(report: AuditReport) -> list[str]:
    """The figures an admin tracks: facts, unverified (count and %), without source, dangling, expiring."""
    f = report.figures()
    cat = [x for x in report.facts if not x.owner.startswith("_")]
    cat_unv = sum(not x.verified for x in cat)
    steps = [x for x in report.facts if x.owner == ONLINE_OWNER]
    return [
        (f"Tổng: {f['facts']} thông tin; {f['unverified']} chưa xác minh ({_pct(f['unverified'], f['facts'])}); "
         f"{f['unsourced']} không có nguồn; {f['dangling']} dẫn nguồn không tồn tại; "
         f"{f['expiring']} quy định sắp hết hạn."),
        (f"Trong {f['procedures']} thủ tục: {len(cat)} thông tin, {cat_unv} chưa xác minh ({_pct(cat_unv, len(cat))}), "
         f"{sum(not x.sources for x in cat)} không có nguồn. "
         f"Chuyển nơi khác (_elsewhere.yml): {len(report.facts) - len(cat) - len(steps)} thông tin. "
         f"Hướng dẫn tự nộp trực tuyến (flows/_online.yml): {len(steps)} bước, "
         f"{sum(not x.verified for x in steps)} chưa xác minh."),
    ]


def _fact_line(f: AuditFact) -> str:
    cited = f" [nguồn: {', '.join(f.sources)}]" if f.sources else ""
    return f"    {f.file}:{f.line} {f.path} — {f.text}{cited}"


def format_report(report: AuditReport, *, show_all: bool = False) -> str:
    """Per procedure: unverified facts (with / without a source), dangling source ids, rules ending soon."""
    out = [f"Kiểm tra nội dung ngày {report.today:%d/%m/%Y}"]
    out += [f"KHÔNG ĐỌC ĐƯỢC {e}" for e in report.unreadable]
    for o in report.owners:
        if not (show_all or o.needs_attention):
            continue
        out.append("")
        out.append(f"== {o.owner} — {o.name} ({o.file}): {len(o.facts)} thông tin, {len(o.unverified)} chưa xác minh")
        sourced = [f for f in o.unverified if f.sources]
        for title, facts in (("Chưa xác minh (đã có nguồn)", sourced), ("Không có nguồn", o.unsourced),
                             ("Dẫn nguồn không tồn tại", o.dangling)):
            if facts:
                out.append(f"  {title} ({len(facts)}):")
                out += [_fact_line(f) + (f" [thiếu: {', '.join(f.missing_sources)}]" if f.missing_sources else "")
                        for f in facts]
        for r in o.expiring:
            days = (r.valid_to - report.today).days if r.valid_to else 0
            out.append(f"  Quy định sắp hết hạn: {r.id} — hết hiệu lực {r.valid_to:%d/%m/%Y} (còn {days} ngày)"
                       + ("" if r.verified else "; chưa xác minh"))
    out.append("")
    out += summary_lines(report)
    return "\n".join(out)
