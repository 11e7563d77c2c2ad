"""The Rasa backend against a local fake server speaking /model/parse, and the Rasa export."""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu.api import ParseContext
from nlu.rasa_http import RasaHttpParser
from nlu.rasa_io import export_rasa

RASA_REPLY = {
    "text": "",
    "intent": {"name": "ho-tich.khai-sinh", "confidence": 0.91},
    "entities": [{"entity": "person_name", "start": 0, "end": 3, "value": "Lan", "extractor": "DIETClassifier"}],
    "intent_ranking": [
        {"name": "ho-tich.khai-sinh", "confidence": 0.91},
        {"name": "ho-tich.lien-thong-khai-sinh", "confidence": 0.06},
        {"name": "greet", "confidence": 0.03},
    ],
}


def _fake_app(seen: list[dict[str, Any]], status: int = 200) -> web.Application:
    async def parse(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        if status != 200:
            return web.Response(status=status, text="model not loaded")
        return web.json_response({**RASA_REPLY, "text": body["text"]})

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    return app


async def test_aparse_maps_rasa_ranking_and_entities() -> None:
    seen: list[dict[str, Any]] = []
    async with TestServer(_fake_app(seen)) as server:
        rasa = RasaHttpParser(str(server.make_url("/")), timeout=2)
        text = "Lan sinh ngày 12/3/2024, sđt 0912345678"
        u = await rasa.aparse(text, ParseContext(today=dt.date(2026, 12, 6)))   # the runtime passes the day
        await rasa.close()
    assert seen == [{"text": text}]
    assert [c.label for c in u.ranking] == ["ho-tich.khai-sinh", "ho-tich.lien-thong-khai-sinh", "greet"]
    assert u.confidence == pytest.approx(0.91)
    got = {e.type: e.value for e in u.entities}
    assert got["person_name"] == "Lan"             # from Rasa
    assert got["date"] == "2024-03-12"             # ours, normalized
    assert got["phone"] == "0912345678"


async def test_server_error_falls_back_without_crashing() -> None:
    class Fallback:
        def parse(self, text: str, context: ParseContext | None = None) -> Any:
            from nlu.api import Candidate, Understanding

            return Understanding(text=text, ranking=(Candidate("out_of_scope", 1.0),))

    async with TestServer(_fake_app([], status=500)) as server:
        plain = RasaHttpParser(str(server.make_url("/")), timeout=2)
        u = await plain.aparse("xin chào")
        assert u.ranking == ()
        with_fallback = RasaHttpParser(str(server.make_url("/")), timeout=2, fallback=Fallback())
        assert (await with_fallback.aparse("xin chào")).label == "out_of_scope"
        await plain.close()
        await with_fallback.close()


async def test_unreachable_server_is_an_empty_understanding() -> None:
    rasa = RasaHttpParser("http://127.0.0.1:9", timeout=0.5)
    u = await rasa.aparse("gọi 0912345678")
    assert u.ranking == () and [e.type for e in u.entities] == ["phone"]
    await rasa.close()


@pytest.fixture
def threaded_fake() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            data = json.dumps({**RASA_REPLY, "text": body["text"]}).encode()
            self.send_response(200 if self.path == "/model/parse" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_blocking_parse_for_the_cli(threaded_fake: str) -> None:
    u = RasaHttpParser(threaded_fake, timeout=2).parse("làm khai sinh")
    assert u.label == "ho-tich.khai-sinh"


def test_export_writes_a_trainable_rasa_project(tmp_path: Path, spec_ts) -> None:  # type: ignore[no-untyped-def]
    written = export_rasa(spec_ts, tmp_path)
    assert {p.name for p in written} == {"nlu.yml", "domain.yml", "config.yml"}
    nlu = yaml.safe_load((tmp_path / "nlu.yml").read_text("utf-8"))
    domain = yaml.safe_load((tmp_path / "domain.yml").read_text("utf-8"))
    assert nlu["version"] == "3.1" and domain["version"] == "3.1"
    intents = {e["intent"]: e["examples"] for e in nlu["nlu"] if "intent" in e}
    assert set(intents) == set(spec_ts.labels) == set(domain["intents"])
    for label, block in intents.items():
        lines = [l for l in block.splitlines() if l.strip()]
        assert all(l.startswith("- ") for l in lines)
        assert len(lines) >= 10, label
    lookups = {e["lookup"]: e["examples"] for e in nlu["nlu"] if "lookup" in e}
    assert "Ê Đê" in lookups["ethnicity"]
    assert "phone" in {e["regex"] for e in nlu["nlu"] if "regex" in e}
    config = yaml.safe_load((tmp_path / "config.yml").read_text("utf-8"))
    assert any(c["name"] == "DIETClassifier" for c in config["pipeline"])
