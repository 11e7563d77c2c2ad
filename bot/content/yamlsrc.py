"""Load YAML while remembering which line every value came from.

Admins edit these files by hand; an error that says ``flows/x.yml:42: steps.3.options:
…`` is one they can fix without a developer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem in an admin-edited file."""

    file: str
    line: int
    field: str
    problem: str
    hint: str = ""          # how to fix it, in plain words (YAML syntax errors)
    syntax: bool = False    # the file could not be read at all: errors it causes elsewhere are hidden

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field or '(file)'}: {self.problem}"

    @property
    def place(self) -> str:
        """Where, in the words of the editor's form ("Bước 1, lựa chọn 1") rather than a YAML path."""
        from bot.content.wording import describe_path

        return describe_path(self.field)

    def words(self) -> str:
        """The line an admin reads: file, line, place, problem and the hint."""
        hint = f". Cách sửa: {self.hint}" if self.hint else ""
        place = f"{self.place}: " if self.field else ""
        return f"{self.file}, dòng {self.line}: {place}{self.problem}{hint}"


class ContentErrors(Exception):
    """Raised when content does not validate; carries every problem found."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Parsed YAML plus a map from value paths to 1-based line numbers."""

    file: str
    data: Any
    lines: dict[Path, int]

    def line_of(self, path: Path) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


# libyaml's parser when PyYAML was built with it (the wheels are): the content (~60 files) parses in a
# quarter of the time, which is most of a worker's start-up. Nodes carry the same line marks either way.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that keeps YAML 1.1 quirks away from admins: dates stay dates, 'no' stays 'no'."""


# 'yes'/'no'/'on'/'off' are ordinary words in flows; only true/false are booleans.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines)


def load_yaml(text: str, file: str) -> YamlDoc:
    """Parse ``text``; a syntax error becomes a `ContentErrors` with its line."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = min(mark.line + 1 if mark else 1, max(1, len(text.splitlines())))   # not past the last line
        raise ContentErrors([_syntax_error(file, line, f"{exc.context or ''} {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ContentErrors([_syntax_error(file, 1, str(exc))]) from None
    except ValueError as exc:   # an impossible date such as 2026-31-12 (YAML reads dates itself)
        raise ContentErrors([ContentError(file, _bad_date_line(text), "", f"ngày không hợp lệ: {exc}")]) from None
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDoc(file=file, data=data, lines=lines)


def _syntax_error(file: str, line: int, english: str) -> ContentError:
    """A YAML syntax error in Vietnamese, with a hint, from the wording table."""
    from bot.content.wording import yaml_problem

    problem, hint = yaml_problem(english)
    return ContentError(file, line, "", f"lỗi cú pháp YAML: {problem}", hint=hint, syntax=True)


def _bad_date_line(text: str) -> int:
    """The first line holding a YYYY-MM-DD value that is not a real date."""
    import datetime as dt
    import re

    for i, line in enumerate(text.splitlines(), 1):
        for m in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
            try:
                dt.date(*map(int, m.groups()))
            except ValueError:
                return i
    return 1
