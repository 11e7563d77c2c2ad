"""The shipped systemd units load cleanly (`systemd-analyze verify`) and carry the hardening the README promises."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY

UNITS = DEPLOY / "systemd"
BINARY = "/opt/motcua/.venv/bin/motcua"


class Section(dict[str, list[str]]):
    """One unit section; a key may be given several times (ExecStart= of a oneshot), as systemd allows."""

    def __getitem__(self, key: str) -> str:
        """The value in force: the last one given (what systemd uses for single-valued keys)."""
        return self.values_of(key)[-1]

    def values_of(self, key: str) -> list[str]:
        return dict.__getitem__(self, key)


def _unit(name: str) -> dict[str, Section]:
    """Parses a unit as systemd does: repeated keys accumulate, an empty assignment (`ExecStart=`) resets the list.

    configparser keeps only the last of repeated keys, which hid a second ExecStart."""
    sections: dict[str, Section] = {}
    current: Section | None = None
    for raw in (UNITS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], Section())
            continue
        assert current is not None and "=" in line, f"{name}: line outside a section or without '=': {raw!r}"
        key, value = (part.strip() for part in line.split("=", 1))
        if value:
            current.setdefault(key, []).append(value)
        else:
            current[key] = []
    return sections


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    import shutil

    analyze = shutil.which("systemd-analyze")
    if analyze is None:   # optional, also in CI: a container image may have no systemd at all
        pytest.skip("systemd-analyze is not installed")
    fake = tmp_path / "motcua"   # verify checks that ExecStart is executable: stand in for the installed one
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    for unit in UNITS.glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(BINARY, str(fake)))
    (tmp_path / "motcua.target").write_text((UNITS / "motcua.target").read_text(encoding="utf-8"))
    res = subprocess.run([analyze, "verify", "--man=no", "./motcua-migrate.service", "./motcua@8081.service",
                          "./motcua.target"], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    if res.returncode != 0 and "Failed to" in res.stderr and "bus" in res.stderr.lower():
        pytest.skip(f"systemd-analyze cannot run here: {res.stderr.strip()[:200]}")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == "", res.stderr   # unknown keys and bad values are only warnings: none allowed


@pytest.mark.parametrize("name", ["motcua@.service", "motcua-migrate.service"])
def test_units_are_hardened_and_read_secrets_from_a_file(name: str) -> None:
    svc = _unit(name)["Service"]
    assert svc["NoNewPrivileges"] == "yes" and svc["ProtectSystem"] == "strict"
    assert svc["DynamicUser"] == "yes" and svc["User"] == "motcua"
    assert svc["EnvironmentFile"] == "/etc/motcua/motcua.env"
    assert all(e.startswith(BINARY + " ") for e in svc.values_of("ExecStart"))


def test_workers_never_migrate_and_wait_for_the_migration() -> None:
    unit = _unit("motcua@.service")
    assert "--no-migrate" in unit["Service"]["ExecStart"] and "--port %i" in unit["Service"]["ExecStart"]
    assert "motcua-migrate.service" in unit["Unit"]["Requires"] and "motcua-migrate.service" in unit["Unit"]["After"]
    migrate = _unit("motcua-migrate.service")["Service"]
    assert migrate["Type"] == "oneshot"
    # Migrations first, then the NLU model and content cache, so a worker's first start only loads them.
    assert migrate.values_of("ExecStart") == [f"{BINARY} db upgrade", f"{BINARY} nlu build"]


def test_migrate_builds_the_model_where_the_workers_look() -> None:
    env = "Environment"
    workers = _unit("motcua@.service")["Service"].values_of(env)
    migrate = _unit("motcua-migrate.service")["Service"].values_of(env)
    cache = [e for e in workers if e.startswith("MOTCUA_NLU__MODEL_CACHE_DIR=")]
    assert cache and cache[0].endswith("=/var/lib/motcua/nlu") and cache[0] in migrate


def test_unit_parser_keeps_repeated_keys_and_resets_on_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.service").write_text("[Service]\nExecStart=a\nExecStart=b\nExecStop=c\nExecStop=\nExecStop=d\n")
    monkeypatch.setattr(__name__ + ".UNITS", tmp_path)
    svc = _unit("x.service")["Service"]
    assert svc.values_of("ExecStart") == ["a", "b"] and svc["ExecStart"] == "b"
    assert svc.values_of("ExecStop") == ["d"]


def test_env_example_loads_into_settings_as_systemd_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """systemd parses EnvironmentFile like a shell (quotes removed): the JSON list must survive that."""
    import shlex

    from bot.settings import Settings

    env = {}
    for line in (UNITS / "motcua.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = "".join(shlex.split(value)) if value else ""
    assert all(v == "" for k, v in env.items() if k.startswith("MOTCUA_SECRETS__"))   # no secret shipped
    for k, v in env.items():
        if v:
            monkeypatch.setenv(k, v)
    s = Settings()
    assert s.server.trusted_proxies == ["127.0.0.1"]
    assert s.server.base_url.startswith("https://") and s.redis.url and s.channels.telegram.enabled
