"""Property-based fuzzing: hostile REST bodies and broken content files never crash anything."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.catalog import Procedure
from bot.content.flow import Flow
from bot.content.loader import parse_model
from bot.content.yamlsrc import ContentErrors, load_yaml
from tests.conftest import http, new_sender

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"sender": st.one_of(st.text(max_size=140), st.integers(), st.none()),
                           "message": st.one_of(st.text(max_size=300), st.integers(), st.none(), st.lists(st.text()))},
                          optional={"metadata": json_values, "message_id": json_values})
    .map(lambda d: json.dumps(d).encode()),
)


def test_rest_webhook_never_500s_and_keeps_stored_state(live_server: Any) -> None:
    url = live_server.url + "/webhooks/rest/webhook"
    sender = new_sender()
    status, _ = http("POST", url, json.dumps({"sender": sender, "message": "làm khai sinh cho con"}).encode(),
                     {"Content-Type": "application/json"})
    assert status == 200
    before = live_server.call(live_server.services.repo.load("rest", sender))
    seen = 0

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies)
    def one(body: bytes) -> None:
        nonlocal seen
        seen += 1
        code, data = http("POST", url, body, {"Content-Type": "application/json"})
        assert code < 500, body
        if code == 200:
            assert isinstance(json.loads(data), list)

    one()
    after = live_server.call(live_server.services.repo.load("rest", sender))
    assert after.state == before.state and after.version == before.version
    print(f"\nfuzz cases tried on REST: {seen}")


yaml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=400, deadline=None)
@given(text=yaml_text)
def test_content_loader_reports_errors_never_crashes(text: str) -> None:
    try:
        doc = load_yaml(text, "flows/x.yml")
    except ContentErrors as exc:
        assert all(e.file == "flows/x.yml" and e.line >= 1 for e in exc.errors)
        return
    for model in (Flow, Procedure):
        try:
            parse_model(doc, model)
        except ContentErrors as exc:
            assert all(e.line >= 1 and e.problem for e in exc.errors)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.fixed_dictionaries({"id": st.text(max_size=8), "kind": st.sampled_from(
    ["question", "documents", "fields", "message", "handoff", "review", "nope"])},
    optional={"ask": st.text(max_size=10), "options": st.lists(json_values, max_size=3),
              "items": st.lists(json_values, max_size=3), "say": st.text(max_size=5)}), max_size=5))
def test_flow_schema_rejects_garbage_with_located_errors(steps: list[dict[str, Any]]) -> None:
    import yaml

    text = yaml.safe_dump({"procedure": "ho-tich.khai-sinh", "steps": steps}, allow_unicode=True)
    doc = load_yaml(text, "flows/ho-tich.khai-sinh.yml")
    try:
        parse_model(doc, Flow)
    except ContentErrors as exc:
        for e in exc.errors:
            assert 1 <= e.line <= len(text.splitlines()) + 1  # splitlines also counts NEL/LS, as YAML does
