"""Admin tables on both backends (migration 0003), emptied per test."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import create_async_engine


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[Any]:
    from bot.admin.models import ContentVersion, TrainingExampleRow

    eng = create_async_engine(db_url)
    async with eng.begin() as conn:
        await conn.execute(delete(ContentVersion))
        await conn.execute(delete(TrainingExampleRow))
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def spec() -> Any:
    from bot.content.loader import SPEC_FILE, load_spec
    from tests.unit.admin.conftest import ROOT

    return load_spec(ROOT / "procedures_catalog" / SPEC_FILE)
