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
