"""Fixtures shared by the content tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A writable copy of the content (catalog without imported entries, and flows) a test may change."""
    src = Path(os.environ.get("MOTCUA_TEST_CONTENT_ROOT", ROOT))
    shutil.copytree(src / "procedures_catalog", tmp_path / "procedures_catalog",
                    ignore=shutil.ignore_patterns("imported"))
    shutil.copytree(src / "flows", tmp_path / "flows")
    return tmp_path
