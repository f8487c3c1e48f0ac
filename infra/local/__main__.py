"""`python -m infra.local`: run the local stage until Ctrl-C (what `make dev` calls)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from contract.routes import CREATE_USER
from infra.local import web
from infra.local.console import quiet_for_people
from infra.local.cors import web_origins
from infra.local.ports import NotReady, PortBusy, ensure_free
from infra.local.stage import LocalStage, StageOptions, free_port, overrides
from infra.stack.schema import read_stack_file
from signup_web.settings import WebSettings

log = logging.getLogger("infra.local")
_DEFAULTS = StageOptions()
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _StopSignalError(Exception):
    """SIGINT or SIGTERM arrived."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; every default is shown by `--help`."""
    parser = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="Run the signup API locally: DynamoDB Local plus an API Gateway stand-in.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--api-port", type=int, default=_DEFAULTS.api_port, help="API port (0: any free port)")
    add("--dynamodb-port", type=int, default=_DEFAULTS.dynamodb_port, help="DynamoDB Local port")
    add("--data-dir", type=Path, default=_DEFAULTS.data_dir, help="table data and the pepper")
    add("--tools-dir", type=Path, default=_DEFAULTS.tools_dir, help="installed DynamoDB Local")
    add("--handler", help="serve this module:function instead of the backend's handler")
    add("--table-name", default=_DEFAULTS.table_name, help="DynamoDB table name")
    add(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        metavar="ORIGIN",
        help="allowed browser origin, repeatable (default: the web UI's origins on --web-port"
        " plus those of Pulumi.dev.yaml)",
    )
    add(
        "--integration-timeout",
        type=float,
        default=_DEFAULTS.integration_timeout,
        help="seconds before the gateway answers 503",
    )
    add(
        "--stack-file",
        type=Path,
        default=_DEFAULTS.stack_file,
        help="the stack whose policy the stage runs (password minimum, bcrypt cost, limits)",
    )
    add("--no-web", action="store_true", help="do not start the web UI")
    add("--web-port", type=int, default=web.DEFAULT_WEB_PORT, help="web UI port (127.0.0.1)")
    add("--web-reload", action="store_true", help="rebuild the web UI when web/ changes")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> StageOptions:
    """Stage options from parsed arguments, resolving the default CORS origins."""
    origins = tuple(args.cors_origins or ())
    if not origins:
        from_stack = read_stack_file(args.stack_file).cors_origins
        origins = tuple(dict.fromkeys(web_origins(args.web_port) + from_stack))
    return StageOptions(
        api_port=args.api_port,
        dynamodb_port=args.dynamodb_port,
        data_dir=args.data_dir.resolve(),
        tools_dir=args.tools_dir.resolve(),
        handler=args.handler,
        cors_origins=origins,
        table_name=args.table_name,
        integration_timeout=args.integration_timeout,
        web_url=f"http://localhost:{args.web_port}",
        stack_file=args.stack_file.resolve(),
    )


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _StopSignalError


def main(argv: Sequence[str] | None = None) -> int:
    """Start everything, print the URLs, wait for Ctrl-C or a crashed child, stop everything."""
    args = parse_args(argv)
    if args.web_port == 0:
        args.web_port = free_port()  # known before the CORS origins are
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    quiet_for_people()
    try:
        # Before anything starts: a taken port is an error, never someone else's server.
        for port, flag in _ports(args):
            ensure_free(port, flag)
    except PortBusy as exc:
        log.error("%s", exc)
        return 1
    stage = LocalStage(options_from(args))
    # Closing the terminal (SIGHUP) stops the stage like Ctrl-C: nothing is left holding a port.
    for stop_signal in _STOP_SIGNALS:
        signal.signal(stop_signal, _raise_stop)
    try:
        return _run(stage, None if args.no_web else args)
    except _StopSignalError:
        return 0
    except (NotReady, PortBusy, web.WebAppError) as exc:
        log.error("%s", exc)
        return 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and orphan java.
        for stop_signal in _STOP_SIGNALS:
            signal.signal(stop_signal, signal.SIG_IGN)
        stage.stop()


def _ports(args: argparse.Namespace) -> list[tuple[int, str]]:
    ports = [(args.api_port, "--api-port"), (args.dynamodb_port, "--dynamodb-port")]
    if not args.no_web:
        ports.append((args.web_port, "--web-port"))
    return ports


def _run(stage: LocalStage, web_args: argparse.Namespace | None) -> int:
    api_url = stage.start()
    opts = stage.options
    _say(f"DynamoDB Local: {stage.dynamodb_endpoint} (data in {opts.data_dir})")
    _say(f"Mail: written to {stage.outbox} (links are printed below as they are sent)")
    _say(f"CORS origins: {', '.join(opts.cors_origins)}")
    _say(f"Policy: {opts.stack_file.name} {_policy(stage)}")
    for name, value in overrides(os.environ).items():
        _say(f"Override from the environment: {name}={value}")
    _say(f"API: {api_url}")
    _say(f"Try: curl -s -X POST {api_url}{CREATE_USER.path} -H 'content-type: application/json' \\")
    _say('        -d \'{"username":"ada","email":"ada@example.com",')
    _say('             "password":"correct horse battery staple"}\'')
    if web_args is not None:
        _start_web(stage, api_url, web_args)
    _say("Press Ctrl-C to stop.")
    while True:
        time.sleep(0.5)  # SIGINT/SIGTERM interrupt this via _raise_stop
        if crashed := stage.crashed():
            log.error("stopping: %s", ", ".join(f"{n} exited ({rc})" for n, rc in crashed))
            return 1


def _policy(stage: LocalStage) -> str:
    settings = stage.settings
    return (
        f"(password minimum {settings.password_min_length}, bcrypt cost {settings.bcrypt_cost},"
        f" identifier limit {settings.rate_limit_per_identifier})"
    )


def _start_web(stage: LocalStage, api_url: str, args: argparse.Namespace) -> None:
    # A child of the same supervisor: a crash stops the stage, Ctrl-C stops it too.
    _say("Web UI: starting (the first build installs frontend packages)...")
    log_file = stage.options.data_dir / "web.log"
    port = args.web_port
    # The form checks the same password minimum as the function it calls; the
    # web UI forwards each browser's address to the API with the secret, so
    # the per-address limit counts browsers, not the web server.
    page = WebSettings(
        api_url=api_url,
        policy=stage.settings.policy,
        client_address_secret=stage.client_address_secret,
    )
    env = {**os.environ, **page.to_env()}
    web.start(
        stage.supervisor,
        api_url=api_url,
        port=port,
        log_file=log_file,
        reload=args.web_reload,
        env=env,
    )
    _say(f"Web UI: http://localhost:{port} (log in {log_file})")


def _say(line: str) -> None:
    # These lines are the program's output (tests read the API line), not logs.
    print(line, flush=True)  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
