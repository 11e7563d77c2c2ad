"""Find typed values in a free message: dates, ID numbers, phones, gender, ethnicity, names, places.

Works on the NFC text so offsets point at what the citizen typed (after NFC). The caller passes ``today``
(dates without a year, two-digit years and the birth year inside an ID number are read against it); without
it, no date is extracted and an ID number's birth year is not checked.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from nlu.api import Entity
from nlu.fields.contact import normalize_phone
from nlu.fields.dates import find_dates
from nlu.fields.ids import check_id_number
from nlu.fields.people import find_ethnicity
from nlu.fields.registry import validate_field
from nlu.normalize import fold

_DIGIT_RUN = re.compile(r"(?<![\w+])(\+?\d[\d .\-]{7,16}\d)(?!\w)")
_GENDER_CUES = re.compile(
    r"\b(?:gioi tinh\s*:?\s*(nam|nu)|(be|con|chau|thang|em)\s+(trai|gai))\b"
)
_ETHNIC_CUE = re.compile(r"\b(?:dan toc|dt)\s*:?\s*([a-z' \-]{2,20}?)(?=[,.;!?\n]|$|\s(?:va|con|toi|o|sinh|quoc)\b)")
_NAME_CUE = re.compile(
    r"(?:(?<!\w)(?:ho va ten|ho ten|ten (?:la|be la|chau la|con la|cua (?:toi|em|minh|be|chau|con) la)|"
    r"toi la|em la|minh la|ten)\s*:?\s+)"
)
_NAME_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NOT_NAME = frozenset({
    "la", "gi", "cua", "toi", "em", "minh", "con", "be", "chau", "va", "o", "tai", "sinh", "ngay", "muon",
    "can", "lam", "xin", "hoi", "duoc", "khong", "co", "nguoi", "dang", "ky", "mot", "nay", "ma",
    "ban", "a", "nhe", "voi", "cho", "ve", "tu", "roi", "bi", "se", "da", "vua", "moi", "dan", "nu", "sdt",
    "so", "cccd", "dia", "chi", "que",
})
_ADDRESS_CUE = re.compile(r"(?:dia chi|thuong tru|tam tru|cu tru|que quan|song)\s*(?:tai|o|la)?\s*:?\s+")
_NUMBER = re.compile(r"(?<![\w.,/+-])\d{1,3}(?:\.\d{3})+(?![\w.,/-]*\d)|(?<![\w.,/+-])\d{1,6}(?:,\d+)?(?![\w/-]|[.,]\d)")
_WARD_IN_TEXT = re.compile(r"\b(?:xa|phuong|thi tran|dac khu)\s+[a-z]+(?:\s+[a-z]+){0,3}")
_ANY_DIGIT = re.compile(r"\d")
_LETTER_RUN = re.compile(r"[a-z]+")


def _ent(kind: str, value: str, text: str, start: int, end: int) -> Entity:
    return Entity(type=kind, value=value, text=text[start:end], start=start, end=end)


def extract_entities(text: str, *, today: dt.date | None) -> tuple[Entity, ...]:
    """Typed values found in a free message (dates, ids, phones, …); overlapping spans keep the first, more
    specific, kind."""
    text = unicodedata.normalize("NFC", text[:4000])
    low = text.lower()   # nfc_lower(text): text is NFC already
    folded = fold(low)
    # Cheap tests first: every pattern below that needs a digit, or a cue word, is skipped without it (most
    # messages have neither); each skip is exact, the pattern could not match.
    has_digit = _ANY_DIGIT.search(folded) is not None
    out: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    def add(kind: str, value: str, s: int, e: int) -> None:
        if free(s, e):
            out.append(_ent(kind, value, text, s, e))
            taken.append((s, e))

    for m in _DIGIT_RUN.finditer(folded) if has_digit else ():
        raw = m.group(1)
        digits = re.sub(r"\D", "", raw)
        phone = normalize_phone(raw)
        if phone:
            add("phone", phone, m.start(1), m.end(1))
        elif len(digits) == 12 and not raw.startswith("+") and check_id_number(digits, today) is None:
            add("id_number", digits, m.start(1), m.end(1))
        elif len(digits) == 9 and not raw.startswith("+") and re.fullmatch(r"[\d ]+", raw):
            add("old_id_number", digits, m.start(1), m.end(1))
    for d in find_dates(text, today) if today is not None and has_digit else ():
        if d.value is None:
            continue
        span = folded[d.start:d.end]
        if d.year is None and "." in span and "thang" not in span:
            continue  # "1.5 triệu" is not a date
        add("date", d.value.isoformat(), d.start, d.end)
    for m in _GENDER_CUES.finditer(folded) if "trai" in folded or "gai" in folded or "gioi tinh" in folded else ():
        word = m.group(1) or m.group(3)
        add("gender", "Nam" if word in ("nam", "trai") else "Nữ", m.start(), m.end())
    if "dt" in folded or "dan toc" in folded:
        _ethnicities(low, folded, add)
    if "ten" in folded or " la" in folded:    # every name cue holds one ("ho ten", "toi la", ...)
        _person_names(text, folded, add)
    _places(text, folded, add, today)
    for m in _NUMBER.finditer(folded) if has_digit else ():
        add("number", m.group().replace(".", "").replace(",", "."), m.start(), m.end())
    out.sort(key=lambda e: e.start)
    return tuple(out)


def _ethnicities(low: str, folded: str, add: Callable[[str, str, int, int], None]) -> None:
    """Ethnic groups after a cue word; apart from extract_entities, longest match (up to 3 words) first."""
    for m in _ETHNIC_CUE.finditer(folded):
        tokens = m.group(1).strip().split()
        for n in range(min(3, len(tokens)), 0, -1):
            cand = " ".join(tokens[:n])
            s = m.start(1)
            e = s + len(cand)
            eth = find_ethnicity(low[s:e])
            if eth:
                add("ethnicity", eth, s, e)
                break


def _person_names(text: str, folded: str, add: Callable[[str, str, int, int], None]) -> None:
    """Names after a cue ("tên là ..."): 2-5 capitalisable words; apart from extract_entities to keep it short."""
    for m in _NAME_CUE.finditer(folded):
        pos = m.end()
        words: list[re.Match[str]] = []
        for w in _NAME_WORD.finditer(text, pos):
            gap = text[pos:w.start()]
            if gap.strip() or len(words) >= 5:
                break
            if fold(w.group().lower()) in _NOT_NAME and not w.group()[0].isupper():
                break
            words.append(w)
            pos = w.end()
        if 2 <= len(words) <= 5:
            s, e = words[0].start(), words[-1].end()
            value = " ".join(w.group()[:1].upper() + w.group()[1:].lower() for w in words)
            add("person_name", value, s, e)


def _places(text: str, folded: str, add: Callable[[str, str, int, int], None], today: dt.date | None) -> None:
    from nlu.geo import find_province

    cue = "dia chi" in folded or "tru" in folded or "que quan" in folded or "song" in folded
    m = _ADDRESS_CUE.search(folded) if cue else None
    if m:
        end = len(folded)
        stop = re.search(r"[.;!?\n]|\s(?:va|sdt|so dien thoai|cccd|ngay)\s", folded[m.end():])
        if stop:
            end = m.end() + stop.start()
        seg = text[m.end():end].strip(" ,")
        if _WARD_IN_TEXT.search(folded[m.end():end]) or any(
            find_province(p) for p in re.split(r"[,]", seg)
        ):
            s = m.end()
            res = validate_field("address", seg, today=today or dt.date.min)   # an address does not read the day
            add("address", res.value if res.ok and res.value else seg, s, s + len(seg))

    names, always, by_first_run = _province_search()
    found = by_first_run.keys() & set(_LETTER_RUN.findall(folded))
    for i in sorted(always.union(*(by_first_run[r] for r in found))) if found or always else ():
        name = names[i]
        if name not in folded:
            continue   # (a substring test first: the regex costs ~20x more)
        for m in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", folded):
            hit = find_province(name)
            if hit:
                add("province", hit[0].name, m.start(), m.end())


@lru_cache(maxsize=1)
def _province_search() -> tuple[tuple[str, ...], frozenset[int], dict[str, frozenset[int]]]:
    """The province names a message is searched for (folded, longest first; at least 4 letters, and more than one
    word but for hue/hcm/tphcm), which of them to try always, and the others by their first word.

    A name found between non-letters starts with one whole letter run of the message (``[a-z]+``), its first word,
    so a message is only searched for the names whose first word it holds (most hold none)."""
    from nlu.geo import province_names_folded

    names = tuple(name for name, _code in province_names_folded()
                  if not (len(name) < 4 or " " not in name and name not in ("hue", "hcm", "tphcm")))
    always: set[int] = set()
    by_first: dict[str, set[int]] = {}
    for i, name in enumerate(names):
        first = _LETTER_RUN.match(name)
        if first is None:
            always.add(i)   # does not start with a plain letter: tried on every message
        else:
            by_first.setdefault(first.group(), set()).add(i)
    return names, frozenset(always), {k: frozenset(v) for k, v in by_first.items()}


__all__ = ["extract_entities"]
