"""`motcua content export DIR` writes the published set back to the content folders."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.admin.versions import ContentVersions, build_snapshot, folder_files
from bot.runtime.content import ContentStore
from bot.runtime.pubsub import MemoryPubSub
from tests.conftest import make_settings
from tests.unit.admin.conftest import PID, ROOT, small_files


async def test_export_writes_the_published_version(engine: Any, db_url: str, tmp_path: Path, spec: Any) -> None:
    from bot.admin.cli import cmd_content

    files = small_files()
    path = f"procedures_catalog/{PID}.yml"
    files[path] = files[path].replace("name: Giấy chứng sinh", "name: Giấy chứng sinh (bản chính)", 1)
    store = ContentStore(build_snapshot(small_files(), spec, require_all=False))
    await ContentVersions(engine, store, MemoryPubSub(), ROOT, require_all=False).publish(files, "an", "sửa")
    import argparse

    args = argparse.Namespace(content_command="export", dir=tmp_path)
    assert await cmd_content(args, make_settings(db_url)) == 0
    out = folder_files(tmp_path)
    assert out == files
