"""Small text helpers for matching what a citizen typed against buttons and commands."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nlu.normalize import normalize

_FOLD = str.maketrans({"đ": "d", "Đ": "D"})
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s/]", re.UNICODE)


def _slow_fold(text: str) -> str:
    """The definition of `fold`, for any text."""
    text = unicodedata.normalize("NFD", text.translate(_FOLD))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _PUNCT.sub(" ", text.lower())
    return _SPACE.sub(" ", text).strip()


def _ascii_fold_table() -> dict[int, str]:
    """Each character whose `_slow_fold` is ASCII on its own (ASCII itself, the Latin letters with diacritics
    Vietnamese uses, combining marks) → that fold, before the spaces are collapsed: 'Ệ' → 'e', '!' → ' '.

    Per character is exact here: NFD only reorders combining marks (all dropped), lower-casing and the
    punctuation rule act on each ASCII character alone."""
    table: dict[int, str] = {}
    for start, end in ((0x00, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF)):
        for cp in range(start, end + 1):
            ch = chr(cp)
            stripped = "".join(c for c in unicodedata.normalize("NFD", ch.translate(_FOLD))
                               if unicodedata.category(c) != "Mn")
            if stripped.isascii():
                table[cp] = _PUNCT.sub(" ", stripped.lower())
    return table


_ASCII_FOLD = _ascii_fold_table()


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced: 'Đã có!' → 'da co'.

    Runs on every citizen message several times a turn: one ``str.translate`` when every character has an ASCII
    fold of its own (Vietnamese with or without diacritics), the per-character definition otherwise."""
    folded = text.translate(_ASCII_FOLD)
    if folded.isascii():
        return " ".join(folded.split())
    return _slow_fold(text)


@lru_cache(maxsize=8192)
def fold_label(text: str) -> str:
    """`fold` of a flow's option labels and synonyms, which every turn on a question compares against:
    folded once per worker, not once per turn. Only for text from the catalog and flows, never a citizen's."""
    return fold(text)


def clean(text: str, limit: int = 4000) -> str:
    """NFC, strip control characters, trim; what the engine stores and echoes."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():   # printable text has no control (C*) character: nothing to strip
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


# Commands a citizen may type anywhere (folded). Payload equivalents are in `engine.COMMAND_PAYLOADS`.
RESTART_WORDS = {"lam lai", "huy", "bat dau lai", "lam lai tu dau", "huy bo", "/huy", "/start", "/batdau",
                 "reset", "restart", "huy ho so", "thoi lam lai"}
BACK_WORDS = {"quay lai", "/quaylai", "tro lai", "lui lai", "back", "sua cau truoc"}
HUMAN_WORDS = {"gap can bo", "/canbo", "can bo", "gap nguoi that", "noi chuyen voi can bo", "nguoi that",
               "cho gap can bo", "toi muon gap can bo", "gap nhan vien", "tu van vien"}
HELP_WORDS = {"/help", "help", "huong dan", "tro giup", "/trogiup"}
DELETE_WORDS = {"/xoadulieu", "xoa du lieu", "xoa du lieu cua toi", "xoa thong tin cua toi", "xoa het du lieu"}
DRAFTS_WORDS = {"/hoso", "xem lai ho so", "ho so cua toi", "xem ho so"}

# Words that only make a command polite or personal ("xóa hết dữ liệu của tôi đi ạ" is "xóa dữ liệu"), folded.
# None of them is part of a command word ("bo", "ho", "lam", "can" are kept on purpose).
COMMAND_FILLERS = frozenset({
    "a", "ad", "admin", "ah", "ak", "nhe", "nha", "nhen", "nhi", "di", "giup", "gium", "dum", "voi", "cho", "toi",
    "minh", "em", "anh", "chi", "tui", "het", "tat", "ca", "toan", "cua", "vui", "long", "on", "xin", "oi", "ban",
    "muon", "duoc", "khong", "the", "thi", "nay", "luon", "ngay", "mot", "sach", "nao", "bot",
})
# A request to delete one's data in any wording: a deleting verb and the citizen's data, both as whole words
# (folded, teencode expanded). Deletion always asks first, so a false positive costs one tap; a procedure such as
# "xóa đăng ký tạm trú" names no personal data and is not caught.
_DELETE_VERB = re.compile(r"\b(xoa|go bo|go het|go sach|del|delete|huy|loai bo)\b")   # not "go" alone: "gõ"
_MY_DATA = re.compile(
    r"\b(du lieu|data|thong tin ca nhan|thong tin cua (toi|minh|em|tui|tao|chau|con)|"
    r"thong tin (ma )?(toi|minh|em|tui) da|thong tin da (gui|nhap|khai|cung cap)|"
    r"(moi|tat ca|toan bo|het) thong tin)\b")


# Erasing in order to answer again ("xóa hết thông tin sai để sửa lại", "xóa hết để khai lại"): a restart of the
# answers (which asks first), not a request to delete one's data from the system.
_TO_REDO = re.compile(r"\b(sai|nham|de (sua|khai|nhap|lam|dien|ghi)|(sua|khai|nhap|lam|dien|ghi) lai|lai tu dau)\b")


def asks_deletion(text: str) -> bool:
    """'làm ơn gỡ hết thông tin cá nhân của tôi ra khỏi hệ thống': a deleting verb before the citizen's data."""
    folded = normalize(text).folded
    verb = _DELETE_VERB.search(folded)
    return verb is not None and _MY_DATA.search(folded, verb.end()) is not None and not _TO_REDO.search(folded)


def asks_redo(text: str) -> bool:
    """'xóa hết thông tin sai để sửa lại': erase the answers to give them again (a restart, asked first)."""
    folded = normalize(text).folded
    return _DELETE_VERB.search(folded) is not None and _TO_REDO.search(folded) is not None


# Command words the engine understands (the keys below) and the NLU intents that mean the same command.
NLU_COMMANDS = {"delete_data": "delete", "request_human": "human", "restart": "restart", "go_back": "back",
                "help": "help"}


def command_key(text: str) -> str:
    """What is left of a message once teencode, typos, doubled letters, accents and polite filler words are
    gone: 'xoá hết dữ liệu của tui đi ạ' and 'xoa du lieuu' are both 'xoa du lieu'."""
    folded = normalize(text).folded
    return " ".join(w for w in folded.split() if w not in COMMAND_FILLERS)


@lru_cache(maxsize=1)
def command_keys() -> dict[str, str]:
    """Every command word set in key form → its command (restart, back, human, help, delete, drafts)."""
    table: dict[str, str] = {}
    for command, words in (("restart", RESTART_WORDS), ("human", HUMAN_WORDS), ("delete", DELETE_WORDS),
                           ("help", HELP_WORDS), ("back", BACK_WORDS), ("drafts", DRAFTS_WORDS)):
        for word in words:
            key = command_key(word)
            if key and not word.startswith("/"):
                table.setdefault(key, command)
    return table

# "When is the commune office open?": an opening word with a time word, or the phrase itself (folded).
OPENING_WORDS = ("mo cua", "lam viec", "dong cua", "nghi trua", "tiep dan", "tiep nhan ho so")
TIME_WORDS = ("may gio", "gio nao", "luc nao", "khi nao", "thu bay", "thu 7", "chu nhat", "ngay le", "buoi trua",
              "buoi chieu", "buoi sang", "ngay nao")
HOURS_PHRASES = ("gio lam viec", "gio hanh chinh", "lich lam viec", "lich tiep dan")


def asks_office_hours(folded: str) -> bool:
    return any(p in folded for p in HOURS_PHRASES) or (
        any(w in folded for w in OPENING_WORDS) and any(t in folded for t in TIME_WORDS))


# Questions about the procedure under discussion that have no intent label of their own (folded substrings).
DOCUMENTS_CUES = ("giay to gi", "giay gi", "can nhung gi", "can mang gi", "can mang theo gi", "ho so gom",
                  "thanh phan ho so", "chuan bi gi", "chuan bi nhung gi", "can nhung giay", "nop nhung gi")
LEGAL_CUES = ("can cu", "luat nao", "nghi dinh nao", "thong tu nao", "phap ly", "van ban nao", "quy dinh o dau",
              "theo quy dinh nao")
