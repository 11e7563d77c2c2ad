"""The password rule for console accounts: at least 12 characters and not a well-known password.

Every path that sets a password (``motcua agent add``, which also changes an existing account's password) goes
through ``check_password``; the message is Vietnamese because the person at the keyboard reads it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
_LIST = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (lower-case), read once."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with ``password`` in Vietnamese, or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự"
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        return "mật khẩu này quá phổ biến, dễ bị đoán; vui lòng chọn mật khẩu khác"
    if len(username) >= 3 and username.lower() in folded:
        return "mật khẩu không được chứa tên đăng nhập"
    return None


def check_password(password: str, username: str = "") -> None:
    """Raise ValueError with the Vietnamese reason when the password is refused."""
    problem = password_problem(password, username)
    if problem is not None:
        raise ValueError(problem)
