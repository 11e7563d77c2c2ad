"""Docker cannot run here: check that the compose file and the Dockerfile only name things that exist — commands the
CLI accepts, files in the repository, services and ports that match — and keep what the README promises."""
from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from tests.deploy.conftest import DEPLOY

COMPOSE = DEPLOY / "compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _motcua_args(argv: list[str]) -> Any:
    assert argv[0] == "motcua", argv
    return build_parser().parse_args(argv[1:])   # exits (fails the test) on an option the CLI does not have


def test_services_and_their_commands(compose: dict[str, Any]) -> None:
    svc = compose["services"]
    assert set(svc) == {"postgres", "redis", "migrate", "motcua", "proxy"}
    migrate = _motcua_args(svc["migrate"]["command"])
    assert (migrate.command, migrate.action) == ("db", "upgrade")
    run = _motcua_args(svc["motcua"]["command"])
    assert run.command == "run" and run.no_migrate and run.workers >= 2 and run.port == 8080
    # Workers start only after the migration finished and Redis (shared locks, several workers) is up.
    assert svc["motcua"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert svc["motcua"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert svc["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_urls_name_the_compose_services_and_trust_only_the_proxy(compose: dict[str, Any]) -> None:
    svc = compose["services"]
    env = svc["motcua"]["environment"]
    assert env == svc["migrate"]["environment"]
    assert re.fullmatch(r"postgresql\+asyncpg://motcua:\$\{POSTGRES_PASSWORD\}@postgres:5432/motcua",
                        env["MOTCUA_DATABASE__URL"])
    assert env["MOTCUA_REDIS__URL"].startswith("redis://redis:6379/")
    proxy_ip = svc["proxy"]["networks"]["motcua"]["ipv4_address"]
    assert env["MOTCUA_SERVER__TRUSTED_PROXIES"] == f'["{proxy_ip}"]'
    subnet = compose["networks"]["motcua"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    assert ipaddress.ip_address(proxy_ip) in ipaddress.ip_network(subnet)
    assert "motcua:8080" in (DEPLOY / "nginx" / "upstream-compose.conf").read_text()
    assert "ports" not in svc["motcua"] and "ports" not in svc["postgres"] and "ports" not in svc["redis"]
    assert svc["proxy"]["ports"] == ["80:80", "443:443"]


def test_proxy_mounts_the_shipped_site_and_the_static_folders_it_aliases(compose: dict[str, Any]) -> None:
    site = (DEPLOY / "nginx" / "motcua.conf").read_text(encoding="utf-8")
    mounts = {}
    for v in compose["services"]["proxy"]["volumes"]:
        host, target, _mode = v.split(":")
        mounts[target] = host
        if host != "./tls":
            assert (DEPLOY / host).exists(), f"{host} does not exist"
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./nginx/motcua.conf"
    assert mounts["/etc/ssl/motcua"] == "./tls" and "/etc/ssl/motcua/fullchain.pem" in site
    for alias in re.findall(r"alias (/opt/motcua/\S+)/;", site):
        assert alias in mounts, f"nginx serves {alias} but the proxy container does not mount it"


def test_healthchecks_use_real_commands_and_routes(compose: dict[str, Any]) -> None:
    svc = compose["services"]
    assert svc["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert svc["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert svc["proxy"]["healthcheck"]["test"] == ["CMD", "nginx", "-t", "-q"]
    probe = svc["motcua"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"]
    compile(probe[3], "<healthcheck>", "exec")   # valid Python
    assert "http://127.0.0.1:8080/readyz" in probe[3]
    from bot.web import health

    assert "/readyz" in {r.path for r in health.routes(None)}   # type: ignore[arg-type]


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def test_dockerfile_copies_what_exists_and_bakes_model_and_fonts() -> None:
    ins = _instructions()
    for op, arg in ins:
        if op == "COPY":
            for src in shlex.split(arg)[:-1]:
                assert (DEPLOY.parent / src).exists(), f"COPY {src}: not in the repository"
    runs = " ".join(arg for op, arg in ins if op == "RUN")
    # `motcua nlu build` (what `make install` runs) writes the model and its index under content.root/var/nlu,
    # where a worker looks first; it must run from the install directory and be a command the CLI knows.
    assert "motcua nlu build" in runs and ("WORKDIR", "/opt/motcua") in ins
    assert "font_files()" in runs and "pip install -q -e ." in runs
    cmd = next(arg for op, arg in ins if op == "CMD")
    import json

    assert _motcua_args(json.loads(cmd)).no_migrate
    assert ("USER", "motcua") in ins
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for src in ("bot/", "nlu/", "procedures_catalog/", "flows/"):
        assert f"!{src}" in ignore
