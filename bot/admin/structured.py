"""The structured part of the editor: common one-line fields mapped to their YAML lines.

Admins fix a document name or a question in a plain input; the page rewrites only that line of the
YAML (comments and layout stay), then the usual validation runs on the whole text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.yamlsrc import ContentErrors, load_yaml

_BLOCK = (">", "|", "{", "[", "&", "*", "!")


@dataclass(frozen=True)
class LineField:
    label: str
    line: int        # 1-based
    key: str
    value: str


def _plain_line(lines: list[str], line: int, key: str, value: Any) -> bool:
    """True when ``line`` is ``key: value`` on one line (possibly quoted), safe to rewrite in place."""
    if not isinstance(value, str) or not (1 <= line <= len(lines)):
        return False
    text = lines[line - 1].strip()
    text = text.removeprefix("- ")
    if not text.startswith(f"{key}:"):
        return False
    rest = text[len(key) + 1:].strip()
    return bool(rest) and not rest.startswith(_BLOCK) and "\n" not in value


def line_fields(text: str, kind: str) -> list[LineField]:
    """Editable one-line fields of a catalog entry (``kind`` = catalog) or a flow (``kind`` = flow)."""
    try:
        doc = load_yaml(text, "x.yml")
    except ContentErrors:
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    lines = text.splitlines()
    wanted: list[tuple[str, tuple[Any, ...], str]] = []
    if kind == "catalog":
        wanted.append(("Tên thủ tục", ("name",), "name"))
        for i, d in enumerate(data.get("documents") or []):
            if isinstance(d, dict):
                wanted.append((f"Giấy tờ {i + 1}: tên", ("documents", i, "name"), "name"))
                wanted.append((f"Giấy tờ {i + 1}: nơi xin", ("documents", i, "how_to_get"), "how_to_get"))
    else:
        for i, s in enumerate(data.get("steps") or []):
            if isinstance(s, dict):
                wanted.append((f"Bước {i + 1} ({s.get('id', '')}): câu hỏi", ("steps", i, "ask"), "ask"))
    out = []
    for label, path, key in wanted:
        node: Any = data
        for p in path:
            node = node.get(p) if isinstance(node, dict) else node[p] if isinstance(node, list) and p < len(node) else None
        if node is None or path not in doc.lines:
            continue
        line = doc.lines[path]
        if _plain_line(lines, line, key, node):
            out.append(LineField(label, line, key, node))
    return out
