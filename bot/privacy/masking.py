"""The one way personal data is shortened for logs, reports and the console: keep the ends, hide the middle.

Each caller picks how much it keeps (a log keeps less than the officer who must recognise a number); the rule
itself — never the whole value — lives here.
"""
from __future__ import annotations


def keep_ends(value: str, head: int, tail: int, filler: str, *, min_len: int = 0, short: str = "") -> str:
    """``value[:head] + filler + value[-tail:]``; a value shorter than ``min_len`` becomes ``short`` (nothing shown)."""
    if len(value) < min_len:
        return short
    return value[:head] + filler + (value[-tail:] if tail else "")
