"""Start the dashboard's web server (`solara run`), offline and on localhost by default.

Offline: Solara's page loads its web UI through the server's proxy at
``/_solara/cdn/``, which serves files from a local cache
(``<sys.prefix>/share/solara/cdn``, or ``$SOLARA_ASSETS_PROXY_CACHE_DIR``)
and fetches missing ones from a public CDN. The `dashboard` extra installs the
cache (the `solara-assets` package), so the page needs no internet; the server
is started with its version check and telemetry off, so it sends nothing out.
"""

from __future__ import annotations

import errno
import importlib.metadata as md
import os
import socket
import sys
from pathlib import Path

from .session import Settings

APP = Path(__file__).with_name("app.py")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# UI files the page asks the proxy for (solara 1.64 with Vue 2, mesa's grid layout)
REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
)
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
                problems.append(
                    f"{dist} {md.version(dist)} is installed; Mesa's grid layout needs {dist}<2 "
                    f"(the page stays empty); {INSTALL_HINT}"
                )
        except md.PackageNotFoundError:
            pass
    cache = cdn_cache_dir()
    missing = [a for a in REQUIRED_ASSETS if not (cache / a).is_dir()]
    if missing:
        problems.append(
            f"Solara's web assets are missing from {cache} ({', '.join(missing)}): "
            f"the page will be blank without internet; {INSTALL_HINT}"
        )
    return problems


def server_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
    ]


def server_env(settings: Settings, base: dict | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.update(settings.to_env())
    return env


def _bound_socket(host: str, port: int) -> socket.socket:
    """A socket bound as the server will bind it. SO_REUSEADDR, as servers set it:
    a port whose previous server stopped a moment ago (TIME_WAIT) counts as free."""
    family, _, _, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
    except OSError:
        s.close()
        raise
    return s


def bind_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (None: it can)."""
    try:
        _bound_socket(host, port).close()
    except socket.gaierror:
        return f"--host {host}: unknown host name"
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            return f"port {port} on {host} is in use; pass another --port (or --port 0 for any free one)"
        if e.errno == errno.EADDRNOTAVAIL:
            hint = "use 127.0.0.1, 0.0.0.0 or one of its addresses"
            return f"--host {host}: not an address of this machine ({e.strerror}); {hint}"
        if e.errno == errno.EACCES:
            hint = "ports below 1024 need administrator rights; pass --port 1024 or above"
            return f"port {port}: permission denied ({hint})"
        return f"cannot listen on {host}:{port}: {e.strerror or e}"
    return None


def port_free(host: str, port: int) -> bool:
    return bind_problem(host, port) is None


def free_port(host: str) -> int:
    """A port the system picks as free on `host` (for --port 0)."""
    try:
        with _bound_socket(host, 0) as s:
            return s.getsockname()[1]
    except OSError:
        raise ValueError(bind_problem(host, 0) or f"cannot listen on {host}") from None


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str, port: int, settings: Settings) -> int:
    """Check the set-up, print the address, then become the server (until Ctrl-C)."""
    if not 0 <= port <= 65535:
        raise ValueError(f"--port {port}: allowed 0-65535 (0: any free port)")
    settings.initial_kwargs()  # a bad preset or --set fails here, with the config's message
    for problem in setup_problems():
        print(f"warning: {problem}", file=sys.stderr)
    if port == 0:
        port = free_port(host)
    if not port_free(host, port):
        raise ValueError(bind_problem(host, port) or f"cannot listen on {host}:{port}")
    if host not in LOCAL_HOSTS:
        print(
            f"WARNING: the dashboard has no login. Listening on {host} lets anyone who can reach "
            f"this machine's port {port} see and control it.",
            file=sys.stderr,
        )
    print(f"coprod_sim dashboard: open {address(host, port)} in a browser (Ctrl-C to stop)", flush=True)
    sys.stderr.flush()
    command = server_command(host, port)
    os.execve(command[0], command, server_env(settings))  # the server replaces this process
    return 0  # not reached
