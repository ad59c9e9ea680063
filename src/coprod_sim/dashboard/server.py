"""Start the dashboard's web server (`solara run`), offline and on localhost by default.

Offline: Solara's page loads its web UI through the server's proxy at
``/_solara/cdn/``, which serves files from a local cache
(``<sys.prefix>/share/solara/cdn``, or ``$SOLARA_ASSETS_PROXY_CACHE_DIR``)
and fetches missing ones from a public CDN. The `dashboard` extra installs the
cache (the `solara-assets` package), so the page needs no internet; the server
is started with its version check and telemetry off, so it sends nothing out.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import socket
import sys
from pathlib import Path

from .session import Settings

APP = Path(__file__).with_name("app.py")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# UI files the page asks the proxy for (solara 1.64 with Vue 2, mesa's grid layout)
REQUIRED_ASSETS = ("@widgetti/solara-vuetify-app@10.1.1", "@widgetti/vue-grid-layout@2.3.13-alpha.2", "requirejs@2.3.6", "font-awesome@4.5.0")
INSTALL_HINT = "install the dashboard extra: make dashboard, or pip install -e '.[dashboard]'"


def cdn_cache_dir() -> Path:
    return Path(os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or Path(sys.prefix) / "share" / "solara" / "cdn")


def setup_problems() -> list[str]:
    """What would make the page blank or empty offline (empty list: all set)."""
    problems = []
    for dist in ("solara", "mesa"):
        try:
            md.version(dist)
        except md.PackageNotFoundError:
            problems.append(f"{dist} is not installed; {INSTALL_HINT}")
    for dist in ("ipyvue", "ipyvuetify"):
        try:
            if int(md.version(dist).split(".")[0]) >= 2:
                problems.append(f"{dist} {md.version(dist)} is installed; Mesa's grid layout needs {dist}<2 (the page stays empty); {INSTALL_HINT}")
        except md.PackageNotFoundError:
            pass
    cache = cdn_cache_dir()
    missing = [a for a in REQUIRED_ASSETS if not (cache / a).is_dir()]
    if missing:
        problems.append(f"Solara's web assets are missing from {cache} ({', '.join(missing)}): the page will be blank without internet; {INSTALL_HINT}")
    return problems


def server_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port), "--production", "--no-check-version"]


def server_env(settings: Settings, base: dict | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.update(settings.to_env())
    return env


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str, port: int, settings: Settings) -> int:
    """Check the set-up, print the address, then become the server (until Ctrl-C)."""
    settings.initial_kwargs()  # a bad preset or --set fails here, with the config's message
    for problem in setup_problems():
        print(f"warning: {problem}", file=sys.stderr)
    if host not in LOCAL_HOSTS:
        print(f"WARNING: the dashboard has no login. Listening on {host} lets anyone who can reach this machine's port {port} see and control it.", file=sys.stderr)
    if not port_free(host, port):
        raise ValueError(f"port {port} on {host} is in use; pass another --port")
    print(f"coprod_sim dashboard: open {address(host, port)} in a browser (Ctrl-C to stop)", flush=True)
    sys.stderr.flush()
    command = server_command(host, port)
    os.execve(command[0], command, server_env(settings))  # the server replaces this process
    return 0  # not reached
