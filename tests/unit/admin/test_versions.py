"""Pure parts of content versioning: live validation at the line, diff, export."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from bot.admin.versions import build_snapshot, check, diff, export_to, export_zip, folder_files
from tests.unit.admin.conftest import PID


def test_valid_set_has_no_problems(files, spec) -> None:
    assert check(files, spec, require_all=False) == []
    snap = build_snapshot(files, spec, require_all=False)
    assert snap.procedure(PID) is not None


def test_broken_edit_reports_file_and_line(files, spec) -> None:
    path = f"procedures_catalog/{PID}.yml"
    lines = files[path].splitlines()
    idx = next(i for i, line in enumerate(lines) if line.strip().startswith("name: Giấy chứng sinh"))
    lines[idx] = lines[idx].replace("name:", "ten_sai:")
    broken = dict(files, **{path: "\n".join(lines) + "\n"})
    problems = check(broken, spec, require_all=False)
    assert problems, "a renamed required key must not validate"
    hit = [p for p in problems if p["file"] == path]
    assert hit and any(abs(p["line"] - (idx + 1)) <= 1 for p in hit), problems


def test_unparseable_yaml_is_an_error_not_a_crash(files, spec) -> None:
    broken = dict(files, **{f"flows/{PID}.yml": "procedure: [unclosed\n  - x: : :\n"})
    problems = check(broken, spec, require_all=False)
    assert problems and problems[0]["file"] == f"flows/{PID}.yml"


def test_diff_shows_changed_lines_escaped(files) -> None:
    path = f"procedures_catalog/{PID}.yml"
    new = dict(files, **{path: files[path].replace("Giấy chứng sinh", "Giấy chứng sinh <b>bản gốc</b>", 1)})
    out = diff(files, new)
    assert [d.path for d in out] == [path]
    added = [t for k, t in out[0].lines if k == "add"]
    removed = [t for k, t in out[0].lines if k == "del"]
    assert any("&lt;b&gt;bản gốc&lt;/b&gt;" in t for t in added)
    assert any("Giấy chứng sinh" in t for t in removed)
    assert all("<b>" not in t for _, t in out[0].lines)


def test_diff_of_added_and_removed_files(files) -> None:
    new = {k: v for k, v in files.items() if k != f"flows/{PID}.yml"}
    new["flows/x.yml"] = "a: 1\n"
    st = {d.path: d.status for d in diff(files, new)}
    assert st == {f"flows/{PID}.yml": "removed", "flows/x.yml": "added"}


def test_export_round_trips_through_the_folders(tmp_path: Path, files, spec) -> None:
    export_to(files, tmp_path)
    assert folder_files(tmp_path) == files
    zf = zipfile.ZipFile(io.BytesIO(export_zip(files)))
    assert sorted(zf.namelist()) == sorted(files)
    assert zf.read(f"flows/{PID}.yml").decode() == files[f"flows/{PID}.yml"]


def test_export_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError):
        export_to({"../evil.yml": "x"}, tmp_path)
