"""The `dashboard` subcommand: parse, then start the server (see server.py)."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "Serve the interactive dashboard (Mesa SolaraViz) and print its address. It binds 127.0.0.1 "
    "(this machine only) unless --host says otherwise; it has no login, so another host prints a warning. "
    "Needs the optional extra `dashboard` (make dashboard installs it), which also makes it work offline."
)


def add_dashboard_command(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "dashboard",
        help="interactive dashboard in the browser (scenarios, live plots, mid-run actions)",
        description=DESCRIPTION,
    )
    p.add_argument(
        "--config",
        "--scenario",
        dest="config",
        default=None,
        metavar="NAME_OR_FILE",
        help=(
            "start-up scenario: a preset name from configs/scenarios (e.g. misconduct_shock) "
            "or a TOML config file (default: baseline)"
        ),
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter by dotted path (repeatable), under the sidebar's values",
    )
    p.add_argument("--seed", type=int, default=0, help="starting seed (default 0; the sidebar can change it)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; any other prints a no-login warning)",
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: any free port, printed at start)")
    return p


def cmd_dashboard(args) -> int:
    from .server import serve
    from .session import Settings

    return serve(args.host, args.port, Settings(preset=args.config, overrides=list(args.overrides), seed=args.seed))
