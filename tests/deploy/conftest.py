"""Shared helpers of the deployment tests: where deploy/ lives, and a tool that is required in CI only."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

DEPLOY = ROOT / "deploy"


def require_tool(name: str, hint: str) -> str:
    """The tool's path; skip locally, fail in CI (like tests/conftest.py's require_service)."""
    path = shutil.which(name) or next((str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name)
                                       if p.exists()), None)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is not installed (required in CI): {hint}")
    pytest.skip(f"{name} is not installed: {hint}")
