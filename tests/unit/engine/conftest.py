"""Fixtures shared by the engine tests."""
from __future__ import annotations

from typing import Any

import pytest

from tests.unit.engine.test_commands_nlu import Understood


@pytest.fixture
def real(content: Any, trained_parser: Any) -> Understood:
    """A started chat whose messages go through the real trained NLU, as the turn runner sends them."""
    c = Understood(content)
    c.parser = trained_parser
    c.say("/start")
    return c
