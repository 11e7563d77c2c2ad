"""Fault tests restart the machine's PostgreSQL: in a full run they go last, so no later test meets a server
that just restarted (engines are per test and pre-ping, but a test started mid-restart would fail)."""
from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    faults = [i for i in items if i.get_closest_marker("faults") is not None]
    if faults:
        rest = [i for i in items if i.get_closest_marker("faults") is None]
        items[:] = rest + faults
