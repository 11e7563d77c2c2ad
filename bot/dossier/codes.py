"""Draft codes (``KS-7F3K2Q``) and the secret tokens of a citizen's link.

A code is read aloud at the counter and typed on phones, so it uses an alphabet without look-alikes
(no 0/O, 1/I/L) and ends with a check character: a mistyped code is reported as invalid instead of
opening someone else's draft. The code only *names* a draft; reading it needs the secret token
(citizen) or an officer login.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
import secrets
import unicodedata
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols, a prime: weighted check catches swaps too
BODY_LEN = 5  # random symbols; plus one check symbol → 6 after the dash
_BASE = len(ALPHABET)

# Explicit prefixes for the 29 procedures; letters only from the alphabet (no I, L, O).
PREFIXES: dict[str, str] = {
    "ho-tich.khai-sinh": "KS",
    "ho-tich.lien-thong-khai-sinh": "KST",
    "ho-tich.khai-tu": "KT",
    "ho-tich.ket-hon": "KH",
    "ho-tich.xac-nhan-tinh-trang-hon-nhan": "HN",
    "ho-tich.trich-luc": "TR",
    "ho-tich.thay-doi-cai-chinh": "CC",
    "ho-tich.nhan-cha-me-con": "CMC",
    "ho-tich.giam-ho": "GH",
    "ho-tich.khai-sinh-lai": "DKS",
    "chung-thuc.ban-sao": "CT",
    "chung-thuc.chu-ky": "CK",
    "chung-thuc.hop-dong": "HD",
    "dat-dai.cap-gcn-lan-dau": "GCN",
    "dat-dai.chuyen-muc-dich": "CMD",
    "dat-dai.bien-dong": "BD",
    "xay-dung.giay-phep-nha-o": "XD",
    "kinh-doanh.ho-kinh-doanh": "HKD",
    "cong-thuong.ban-le-ruou": "BR",
    "cong-thuong.ban-le-thuoc-la": "BT",
    "cong-thuong.san-xuat-ruou-thu-cong": "SXR",
    "cu-tru.thuong-tru": "TT",
    "cu-tru.tam-tru": "TM",
    "cu-tru.xac-nhan-cu-tru": "XCT",
    "can-cuoc.cap-doi-lai": "CCD",
    "xa-hoi.tro-cap-hang-thang": "TC",
    "xa-hoi.mai-tang-phi": "MT",
    "xa-hoi.xac-dinh-khuyet-tat": "XKT",
    "xa-hoi.ho-ngheo": "HNG",
}
FALLBACK_PREFIX = "HS"

INVALID_CODE_VI = "Mã hồ sơ không hợp lệ. Bạn kiểm tra lại mã (ví dụ KS-7F3K2Q) giúp mình nhé."

_CODE_RE = re.compile(rf"^([A-Z]{{2,3}})-([{ALPHABET}]{{{BODY_LEN + 1}}})$")


def prefix_for(procedure_id: str) -> str:
    """The code prefix of a procedure; unknown ids get initials of their last part (letters of the alphabet)."""
    if procedure_id in PREFIXES:
        return PREFIXES[procedure_id]
    tail = procedure_id.split(".")[-1]
    letters = "".join(w[:1].upper() for w in tail.split("-") if w)
    letters = "".join(c for c in letters if c in ALPHABET and c.isalpha())[:3]
    return letters if len(letters) >= 2 else FALLBACK_PREFIX


def _value(ch: str) -> int:
    i = ALPHABET.find(ch)
    return i if i >= 0 else ord(ch) % _BASE


def check_char(prefix: str, body: str) -> str:
    """Weighted sum mod 31 over prefix and body: catches any single wrong symbol and adjacent swaps."""
    total = 0
    for pos, ch in enumerate(prefix + "-" + body, start=1):
        total += pos * _value(ch)
    return ALPHABET[total % _BASE]


def new_code(procedure_id: str, rng: random.Random | None = None) -> str:
    """A fresh draft code; pass ``rng`` for deterministic tests, default is the OS CSPRNG."""
    pick = rng.choice if rng is not None else secrets.choice
    prefix = prefix_for(procedure_id)
    body = "".join(pick(ALPHABET) for _ in range(BODY_LEN))
    return f"{prefix}-{body}{check_char(prefix, body)}"


def is_valid(code: str) -> bool:
    """True for a well-formed code whose check symbol matches (canonical form only)."""
    m = _CODE_RE.match(code)
    if not m:
        return False
    prefix, rest = m.group(1), m.group(2)
    return check_char(prefix, rest[:-1]) == rest[-1]


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of reading a code typed by a citizen or officer."""

    code: str | None
    error: str | None = None


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c))


# Characters a code never contains but people and scanners type for one that it does: 0/O for D or Q,
# 1/I/L for J, T or 7. Only a substitution that satisfies the check symbol is accepted, and a single wrong
# symbol always changes the check, so at most one substitute of one look-alike can pass.
LOOKALIKES: dict[str, str] = {"0": "DQ", "O": "DQ", "1": "JT7", "I": "JT7", "L": "JT7"}
MAX_LOOKALIKES = 2


def _resolve_lookalikes(prefix: str, rest: str) -> str | None:
    """The one valid code reachable by replacing at most ``MAX_LOOKALIKES`` look-alike characters, else None."""
    chars = list(prefix + rest)
    spots = [i for i, c in enumerate(chars) if c in LOOKALIKES]
    if not spots or len(spots) > MAX_LOOKALIKES:
        return None
    options = [[c for c in LOOKALIKES[chars[i]] if i >= len(prefix) or c.isalpha()] for i in spots]
    found: set[str] = set()
    for combo in itertools.product(*options):
        for i, c in zip(spots, combo):
            chars[i] = c
        p, r = "".join(chars[: len(prefix)]), "".join(chars[len(prefix):])
        if p.isalpha() and all(c in ALPHABET for c in r) and is_valid(f"{p}-{r}"):
            found.add(f"{p}-{r}")
    return found.pop() if len(found) == 1 else None


def normalize_code(text: str, *, lookalikes: bool = False) -> CodeCheck:
    """Accept ``ks 7f3k2q``, ``KS7F3K2Q``, ``ks-7f3-k2q``, full-width or Telex-accented letters.

    Returns the canonical code, or an error in Vietnamese when the text is not a code or the check
    symbol does not match (a typo never resolves to another draft). With ``lookalikes`` (a code typed or
    scanned at the desk) ``0``/``O`` and ``1``/``I``/``L``, which no code contains, are read as the one
    alphabet symbol that makes the check symbol match, if exactly one does.
    """
    raw = _strip_marks(text or "").upper()
    compact = re.sub(r"[\s\-_.·–—/:]+", "", raw)
    if not compact.isalnum() or not (BODY_LEN + 1 + 2 <= len(compact) <= BODY_LEN + 1 + 3):
        return CodeCheck(None, INVALID_CODE_VI)
    prefix, rest = compact[: -(BODY_LEN + 1)], compact[-(BODY_LEN + 1):]
    if not prefix.isalpha() or any(c not in ALPHABET for c in rest):
        resolved = _resolve_lookalikes(prefix, rest) if lookalikes else None
        return CodeCheck(resolved) if resolved else CodeCheck(None, INVALID_CODE_VI)
    code = f"{prefix}-{rest}"
    if not is_valid(code):
        return CodeCheck(None, INVALID_CODE_VI)
    return CodeCheck(code)


_FIND_RE = re.compile(r"\b([A-Za-z]{2,3})[\s\-]?([0-9A-Za-z]{3})[\s\-]?([0-9A-Za-z]{3})\b")


def find_code(text: str, *, lookalikes: bool = False) -> str | None:
    """The first valid code inside a free-text message ("xem lại hồ sơ ks-7f3k2q"), or None.

    ``lookalikes`` as in ``normalize_code``; in free text it makes a random word pass the check far more
    often, so use it only where the result is then matched against known codes (the citizen's own drafts)."""
    for m in _FIND_RE.finditer(_strip_marks(text or "")):
        got = normalize_code("".join(m.groups()), lookalikes=lookalikes)
        if got.code:
            return got.code
    return None


def hash_token(token: str) -> str:
    """What is stored: the token itself never sits in the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, token_hash: str | None) -> bool:
    """Constant-time comparison of a presented token with the stored hash; missing either side → False."""
    if not token or not token_hash:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)
