"""``nkroutes app``: serve the scenario's SolaraViz page on this machine (the ``app`` extra)."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from nkroutes.app.environment import OVERRIDES_VAR, REPLICATES_VAR, SCENARIO_VAR, WORKERS_VAR
from nkroutes.commands.common import BadInput, examples, load, set_option

#: Modules the app extra brings.
APP_MODULES = ("solara", "ipyvuetify", "ipyvue")
#: Environment that keeps Solara off the network (no telemetry; assets from solara-assets).
OFFLINE_ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_TELEMETRY_SENTRY_ENABLE": "False",
    "SOLARA_CDN": "",
}


def app_argv(host: str, port: int, open_browser: bool) -> list[str]:
    """The command that serves the page (``solara run`` in this Python)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "nkroutes.app.serve",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def check_port_free(host: str, port: int) -> None:
    """Refuse a port the server could not listen on, before announcing it.

    Binds (and closes) a listening socket on every address ``host`` resolves to, with
    ``SO_REUSEADDR`` as the server sets it, so a port left in TIME_WAIT is not refused.

    Raises:
        BadInput: The port is in use, or ``host`` is not an address of this machine.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise BadInput(
            f"--host: found {host!r}, expected an address of this machine ({error.strerror})"
        ) from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
                probe.listen()
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise BadInput(f"port {port} is in use; choose another with --port") from None
                raise BadInput(
                    f"--host: cannot serve on {host} port {port}: {error.strerror}"
                ) from None


def app_environment(
    file: str, overrides: dict[str, Any], replicates: int, workers: int | None
) -> dict[str, str]:
    """The server process's environment: this one, plus the scenario and offline settings."""
    env = dict(os.environ)
    env.update(OFFLINE_ENVIRONMENT)
    env[SCENARIO_VAR] = str(Path(file).resolve())
    env[OVERRIDES_VAR] = json.dumps(overrides)
    env[REPLICATES_VAR] = str(replicates)
    env[WORKERS_VAR] = "" if workers is None else str(workers)
    return env


@click.command(
    "app",
    epilog=examples(
        "nkroutes app scenarios/baseline.toml",
        "nkroutes app scenarios/thailand-closes.toml --port 8800 --open",
    ),
)
@click.argument("file", default="scenarios/baseline.toml")
@set_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to serve on (1-65535; it must be free).",
)
@click.option("--open/--no-open", "open_browser", default=False, help="Open a browser tab.")
@click.option(
    "--replicates",
    "-n",
    default=20,
    show_default=True,
    type=click.IntRange(min=2),
    help="Replicates the page's ensemble button runs.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes for ensembles.")
def app_command(
    file: str,
    overrides: dict[str, Any],
    host: str,
    port: int,
    open_browser: bool,
    replicates: int,
    workers: int | None,
) -> None:
    """Explore a scenario in the browser: levers, step / play / reset, charts, the map.

    Serves a Mesa SolaraViz page at http://HOST:PORT until stopped with Ctrl-C. Works with
    no internet access: the page's JavaScript comes from the installed packages. Needs the
    app extra: pip install -e ".[app]". FILE defaults to scenarios/baseline.toml.
    """
    load(file, overrides)  # bad scenarios stop here, with exit code 2
    try:
        import mesa.visualization  # noqa: F401
        import solara.server  # noqa: F401
    except ImportError as error:
        raise BadInput(
            f'nkroutes app needs the app extra ({error.name} is missing): pip install -e ".[app]"'
        ) from None
    check_port_free(host, port)
    click.echo(f"nkroutes app: serving {file} at http://{host}:{port} (Ctrl-C stops)", err=True)
    env = app_environment(file, overrides, replicates, workers)
    try:
        completed = subprocess.run(app_argv(host, port, open_browser), env=env, check=False)
    except KeyboardInterrupt:
        return
    if completed.returncode not in (0, -2, 130):
        raise SystemExit(completed.returncode)
