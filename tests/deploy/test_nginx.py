"""The shipped nginx site is valid for the nginx Debian ships (`nginx -t`), and keeps what must stay internal."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, require_tool

SITE = DEPLOY / "nginx" / "motcua.conf"
CERT, KEY = "/etc/ssl/motcua/fullchain.pem", "/etc/ssl/motcua/privkey.pem"


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "apt-get install openssl")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=motcua.example.vn", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _prefix(tmp: Path, upstream: str) -> Path:
    """A throw-away nginx prefix whose nginx.conf includes the shipped upstream and site (certificates swapped)."""
    cert, key = _self_signed(tmp)
    site = SITE.read_text(encoding="utf-8")
    assert CERT in site and KEY in site, "the site names the certificate placeholders the README documents"
    (tmp / "site.conf").write_text(site.replace(CERT, str(cert)).replace(KEY, str(key)), encoding="utf-8")
    temp = "".join(f"    {d}_temp_path {tmp / d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp / "nginx.conf"
    conf.write_text(f"""pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'};
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
{temp}    include {DEPLOY / 'nginx' / upstream};
    include {tmp / 'site.conf'};
}}
""", encoding="utf-8")
    return conf


@pytest.mark.parametrize("upstream", ["upstream.conf", "upstream-compose.conf"])
def test_nginx_accepts_the_shipped_site(tmp_path: Path, upstream: str) -> None:
    nginx = require_tool("nginx", "make system-deps installs Debian's nginx")
    conf = _prefix(tmp_path, upstream)
    if upstream == "upstream-compose.conf":
        # `motcua` resolves only on the compose network: point the name at this machine for the check.
        text = conf.read_text().replace(f"include {DEPLOY / 'nginx' / upstream};",
                                        (DEPLOY / "nginx" / upstream).read_text().replace("motcua:8080", "127.0.0.1:8080"))
        conf.write_text(text)
    res = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], check=False, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert "syntax is ok" in res.stderr and "test is successful" in res.stderr


def _locations(site: str) -> dict[str, str]:
    """location pattern → its body, for the HTTPS server (the second server block)."""
    https = site.split("listen 443", 1)[1]
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"^\s*location\s+([^{]+)\{([^}]*)\}", https, re.MULTILINE)}


def test_metrics_and_health_are_internal_only() -> None:
    locs = _locations(SITE.read_text(encoding="utf-8"))
    metrics = locs["= /metrics"]
    health = next(body for pat, body in locs.items() if "healthz" in pat and "readyz" in pat)
    for body in (metrics, health):
        assert "allow 127.0.0.1;" in body and "deny all;" in body
        assert body.index("allow 127.0.0.1;") < body.index("deny all;")


def test_http_redirects_to_https_and_proxy_headers_are_set() -> None:
    site = SITE.read_text(encoding="utf-8")
    http_server = site.split("listen 443", 1)[0]
    assert "return 301 https://$host$request_uri;" in http_server
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site   # a client's own header is replaced
    locs = _locations(site)
    assert "proxy_buffering off;" in locs["= /console/events"]       # server-sent events reach the console at once
    assert "client_max_body_size 12m;" in locs["= /dossiers/scan"]    # the desk's photo upload (MAX_IMAGE)
    for prefix, folder in (("/static/webchat/", "bot/channels/webchat/static"),
                           ("/console/static/", "bot/web/console/static"),
                           ("/dossiers/static/", "bot/web/dossiers/static"), ("/static/admin/", "bot/web/admin/static")):
        assert f"alias /opt/motcua/{folder}/;" in locs[prefix]
        assert (DEPLOY.parent / folder).is_dir(), f"{folder} moved: update the nginx site"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_shipped_site_in_front_of_a_backend(tmp_path: Path) -> None:
    """nginx running the shipped site: HTTP redirects, /metrics refused to a non-local client, a forged
    X-Forwarded-For replaced, server-sent events arrive before the stream ends."""
    import asyncio
    import io
    import socket

    import aiohttp
    from aiohttp import web

    nginx = require_tool("nginx", "make system-deps installs Debian's nginx")
    seen: list[str] = []
    release = asyncio.Event()

    async def echo(request: web.Request) -> web.Response:
        seen.append(request.headers.get("X-Forwarded-For", ""))
        return web.Response(text=f"{request.path} {request.headers.get('X-Forwarded-Proto')}")

    async def events(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b"data: first\n\n")
        await release.wait()
        return resp

    backend = web.Application()
    backend.router.add_get("/console/events", events)
    backend.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(backend)
    await runner.setup()
    up, http_port, https_port = _free_port(), _free_port(), _free_port()
    await web.TCPSite(runner, "127.0.0.1", up).start()
    conf = _prefix(tmp_path, "upstream.conf")
    # The shipped upstream with its first worker down (being restarted) and the second one answering.
    upstream = (DEPLOY / "nginx" / "upstream.conf").read_text()
    assert "127.0.0.1:8081" in upstream and "127.0.0.1:8082" in upstream
    upstream = upstream.replace("127.0.0.1:8081", f"127.0.0.1:{_free_port()}").replace("127.0.0.1:8082",
                                                                                      f"127.0.0.1:{up}")
    text = conf.read_text().replace(f"include {DEPLOY / 'nginx' / 'upstream.conf'};", upstream)
    conf.write_text("master_process off;\n" + text)
    site = (tmp_path / "site.conf").read_text()
    site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    (tmp_path / "site.conf").write_text(site)
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],  # noqa: ASYNC220
                            stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        https = f"https://127.0.0.1:{https_port}"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as local:
            r = await local.get(f"http://127.0.0.1:{http_port}/d/AB-123456?t=x", allow_redirects=False)
            assert r.status == 301 and r.headers["Location"] == "https://127.0.0.1/d/AB-123456?t=x"
            r = await local.get(f"{https}/metrics")
            assert r.status == 200 and await r.text() == "/metrics https"   # proxied for this machine
            assert "max-age=31536000" in r.headers["Strict-Transport-Security"]
            r = await local.post(f"{https}/webhooks/telegram", data=b"{}", headers={"X-Forwarded-For": "6.6.6.6"})
            assert r.status == 200 and seen[-1] == "127.0.0.1"               # the forged hop is gone
            for _ in range(4):   # round robin meets the stopped worker: each POST still reaches the live one
                assert (await local.post(f"{https}/webhooks/telegram", data=b"{}")).status == 200
            # A stream, not raw bytes: aiohttp warns that a large bytes body blocks the loop.
            r = await local.post(f"{https}/webhooks/telegram", data=io.BytesIO(b"x" * (3 * 1024 * 1024)))
            assert r.status == 413                                            # above server.max_body_bytes
            async def first_event() -> bytes:
                async with local.get(f"{https}/console/events") as stream:
                    return await stream.content.readline()

            try:   # arrives while the stream is still open: not held back in nginx's buffers
                first = await asyncio.wait_for(first_event(), 5)
            except TimeoutError:
                first = b"(nothing within 5 s)"
            release.set()
            assert first == b"data: first\n"
        # A client from another address (127.0.0.2 is loopback too, but not "allow 127.0.0.1").
        outsider = aiohttp.TCPConnector(ssl=False, local_addr=("127.0.0.2", 0))
        async with aiohttp.ClientSession(connector=outsider) as remote:
            for path in ("/metrics", "/healthz", "/readyz"):
                assert (await remote.get(f"{https}{path}")).status == 403, path
            assert (await remote.get(f"{https}/privacy")).status == 200
    finally:
        release.set()
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
        await runner.cleanup()
