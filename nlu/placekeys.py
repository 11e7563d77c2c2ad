"""How an old (pre-2025) commune or district name is compared: folded, punctuation gone, numbers as numbers, the
type word dropped. Pure string work, shared by the data loader (``nlu.geo_old``) and the dialogue engine."""
from __future__ import annotations

import re

from nlu.normalize import fold, nfc_lower

_WARD_TYPE = re.compile(r"^(?:xa|phuong|thi tran|tt|p|f|x)\s+")
_DISTRICT_TYPE = re.compile(r"^(?:huyen|quan|thi xa|thanh pho|tp|q|h|tx)\s+")


def plain(text: str) -> str:
    """Folded, punctuation gone, "p5"/"q.3" spelled out and leading zeros dropped ("Phường 05" = "phuong 5")."""
    k = re.sub(r"[^\w\s]", " ", fold(nfc_lower(text)))
    k = re.sub(r"\b([pq])(\d+)\b", lambda m: ("phuong " if m[1] == "p" else "quan ") + m[2], k)
    k = re.sub(r"\b0+(\d)", r"\1", k)
    return " ".join(k.split())


def ward_key(text: str) -> str:
    """An old ward's name as compared: folded, without its type word ("Thị trấn Cao Lộc" → "cao loc")."""
    return _WARD_TYPE.sub("", plain(text))


def district_key(text: str) -> str:
    """An old district's name as compared: folded, without its type word ("Quận 3" → "3")."""
    return _DISTRICT_TYPE.sub("", plain(text))


__all__ = ["district_key", "plain", "ward_key"]
