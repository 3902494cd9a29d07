"""deploy/nginx/swap.conf run by an unprivileged nginx with a prefix of its own, and its certificate.

The site file is used as written except for the lines that name this machine: the listen ports
(free loopback ports instead of 80 and 443), the certificate (self-signed, made for the run), the
static root and the upstream (WEB_BIND). Each rewrite must find its line, so a change to the site
that this run does not follow fails it instead of being silently skipped. A main `nginx.conf` of
the run's own includes Debian's `mime.types` and the rewritten site, with every path nginx writes
(pid, logs, temporary files) under the run's directory.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path

from swap.prodsmoke.envfile import REPO_ROOT

SITE = REPO_ROOT / "deploy" / "nginx" / "swap.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")
# What the site says for production, as it appears in the file.
PRODUCTION_UPSTREAM = "server 127.0.0.1:8000;"
PRODUCTION_CERTIFICATE = "/etc/letsencrypt/live/swap.example.org/fullchain.pem"
PRODUCTION_CERTIFICATE_KEY = "/etc/letsencrypt/live/swap.example.org/privkey.pem"
PRODUCTION_STATIC_ROOT = "alias /srv/swap/static/;"


class NginxConfigError(ValueError):
    """The site file no longer has a line this run rewrites."""


@dataclass(frozen=True)
class Edge:
    """Where this run's nginx listens and what it serves."""

    directory: Path  # nginx's prefix: conf, logs, temporary files, pid
    http_port: int
    https_port: int
    upstream: str  # WEB_BIND
    static_root: Path
    certificate: Path
    certificate_key: Path

    @property
    def conf(self) -> Path:
        return self.directory / "nginx.conf"


def rewrite_site(text: str, edge: Edge) -> str:
    """The site file with this machine's ports, certificate, static root and upstream."""
    rewrites = (
        ("listen 80;", f"listen 127.0.0.1:{edge.http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{edge.https_port} ssl http2;"),
        (PRODUCTION_CERTIFICATE, str(edge.certificate)),
        (PRODUCTION_CERTIFICATE_KEY, str(edge.certificate_key)),
        (PRODUCTION_STATIC_ROOT, f"alias {edge.static_root}/;"),
        (PRODUCTION_UPSTREAM, f"server {edge.upstream};"),
        # The ACME webroot is not used here; certbot's directory need not exist.
        ("root /var/www/letsencrypt;", f"root {edge.directory / 'acme'};"),
    )
    for production, local in rewrites:
        if text.count(production) != 1:
            raise NginxConfigError(f"deploy/nginx/swap.conf must hold {production!r} exactly once")
        text = text.replace(production, local)
    return text


def main_conf(edge: Edge, site: Path) -> str:
    temp = edge.directory / "temp"
    return "\n".join([
        "# Written by make prod-smoke: an unprivileged nginx around deploy/nginx/swap.conf.",
        "worker_processes 1;",
        # Started by root, nginx's workers would drop to `nobody`, who cannot read a checkout inside a
        # private directory (mktemp's 0700): they run as whoever runs the smoke.
        *([f"user {pwd.getpwuid(os.geteuid()).pw_name};"] if os.geteuid() == 0 else []),
        f"pid {edge.directory / 'nginx.pid'};",
        f"error_log {edge.directory / 'error.log'} info;",
        "events { worker_connections 256; }",
        "http {",
        f"    include {MIME_TYPES};",
        "    default_type application/octet-stream;",
        f"    access_log {edge.directory / 'access.log'};",
        *(f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        f"    include {site};",
        "}",
        "",
    ])


def write_config(edge: Edge) -> list[str]:
    """Write the run's nginx configuration; return the command line that runs it in the foreground."""
    (edge.directory / "temp").mkdir(parents=True, exist_ok=True)
    (edge.directory / "acme").mkdir(exist_ok=True)
    site = edge.directory / "swap.conf"
    site.write_text(rewrite_site(SITE.read_text(), edge))
    edge.conf.write_text(main_conf(edge, site))
    return ["nginx", "-p", str(edge.directory), "-c", str(edge.conf), "-e", str(edge.directory / "error.log"),
            "-g", "daemon off;"]


def make_certificate(certificate: Path, key: Path, host: str) -> None:
    """A self-signed certificate for `host` and 127.0.0.1, valid for two days, made with openssl."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )
    key.chmod(0o600)
