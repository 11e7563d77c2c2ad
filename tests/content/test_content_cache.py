"""The validated-content cache: a warm start skips parsing, yet any edit (or other code) is seen and checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import cache, loader
from bot.content.cache import load_content_cached
from bot.content.yamlsrc import ContentErrors


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("content was parsed again")

    monkeypatch.setattr(loader, "load_texts", refuse)
    monkeypatch.setattr(cache, "load_texts", refuse)


def test_a_warm_load_serves_the_same_content_without_parsing(tree: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_content_cached(tree, tmp_path / "var")
    _no_parsing(monkeypatch)
    warm = load_content_cached(tree, tmp_path / "var")
    assert warm.version == first.version
    assert dict(warm.procedures) == dict(first.procedures) and dict(warm.flows) == dict(first.flows)
    assert warm.phrase("review_confirm") == first.phrase("review_confirm") == "Xác nhận, lập tờ khai"
    assert [p.name for p in tmp_path.joinpath("var").iterdir()] == [next(tmp_path.joinpath("var").iterdir()).name]


def test_an_edit_after_caching_is_seen_and_errors_keep_their_line(tree: Path, tmp_path: Path) -> None:
    load_content_cached(tree, tmp_path / "var")
    path = tree / "procedures_catalog" / "chung-thuc.ban-sao.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nname: ", "\nname_typo: ", 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        load_content_cached(tree, tmp_path / "var")
    lines = [e for e in exc.value.errors if e.file.endswith("chung-thuc.ban-sao.yml")]
    assert lines and all(e.line >= 1 for e in lines)
    assert "chung-thuc.ban-sao.yml:" in str(exc.value)
    path.write_text(text.replace("\nname: ", "\nname: Sửa tên ", 1), encoding="utf-8")
    fixed = load_content_cached(tree, tmp_path / "var")
    assert fixed.procedures["chung-thuc.ban-sao"].name.startswith("Sửa tên")


def test_a_cache_from_other_code_or_a_broken_file_is_rebuilt(tree: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_content_cached(tree, tmp_path / "var")
    (cached,) = (tmp_path / "var").glob("content-*.pkl")
    monkeypatch.setattr(cache, "code_version", lambda: "another-release")
    calls: list[int] = []
    real = cache.load_texts
    monkeypatch.setattr(cache, "load_texts", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert load_content_cached(tree, tmp_path / "var").version == first.version
    assert calls == [1] and not cached.exists()   # rebuilt, and the other release's cache dropped
    (rebuilt,) = (tmp_path / "var").glob("content-*.pkl")
    rebuilt.write_bytes(b"not a pickle")
    assert load_content_cached(tree, tmp_path / "var").version == first.version
    assert calls == [1, 1]
