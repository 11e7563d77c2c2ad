"""What every field validator shares: the result type and the text clean-up."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlu.normalize import fold, nfc_lower


@dataclass(frozen=True, slots=True)
class FieldResult:
    """Outcome of validating one answer."""

    ok: bool
    value: str | None = None
    display: str | None = None
    reason: str | None = None
    # Set when the value was typed without diacritics and could not be restored for sure (or names a commune
    # that was not found): ``check`` is the question to put to the citizen before the value is taken as theirs.
    check: str | None = None
    # Typed without diacritics and not restored for sure, yet not worth a question (free text): mark it only.
    unsure: bool = False


def bad(reason: str) -> FieldResult:
    return FieldResult(ok=False, reason=reason)


def good(value: str, display: str | None = None) -> FieldResult:
    return FieldResult(ok=True, value=value, display=display if display is not None else value)


_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def fold_words(text: str) -> str:
    return _SPACE.sub(" ", re.sub(r"[^\w/]+", " ", fold(nfc_lower(text)))).strip()


def title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))
