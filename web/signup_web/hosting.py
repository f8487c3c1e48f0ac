"""How the app is served when hosted: page and backend on one origin, the backend under a path.

This is Reflex's own self-hosting split: the frontend is a static export and
the backend runs alone (`reflex run --env prod --backend-only`); a proxy in
front of both (CloudFront on AWS, nginx in the local proof) sends
BACKEND_PATH to the backend and everything else to the files. rxconfig.py,
web/Dockerfile, infra/components/page and infra/local all read these values from here, and
`reflex_environment` is the one writer of Reflex's own variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from contract.environment import (
    REFLEX_API_URL,
    REFLEX_BACKEND_HOST,
    REFLEX_BACKEND_PORT,
    REFLEX_BUN_PATH,
    REFLEX_CHECK_LATEST_VERSION,
    REFLEX_CORS_ALLOWED_ORIGINS,
    REFLEX_PREFIX,
    REFLEX_TELEMETRY_ENABLED,
    REFLEX_TRUSTED_PROXY_HOPS,
    REFLEX_WEB_WORKDIR,
)

# Reflex mounts its websocket, /ping, /_health and /_upload under this prefix
# (config.backend_path) and bakes the prefixed URLs into the export.
BACKEND_PATH: Final = "/_reflex"
BACKEND_PORT: Final = 8000
# Reflex answers 200 here once the backend is up: the load balancer's health check.
HEALTH_PATH: Final = f"{BACKEND_PATH}/ping"
# The container's command after the interpreter (web/Dockerfile's CMD is
# `python` plus these); the local proof runs the same with its own interpreter.
BACKEND_ARGS: Final = ("-m", "reflex", "run", "--env", "prod", "--backend-only")
# The backend address baked into the export. Reflex's frontend replaces a
# localhost backend host with the page's own hostname and, on an https page,
# switches to https/wss on the default port (getBackendURL in Reflex's
# web/utils/state.js template). So this one value means "the origin that
# served the page", whichever domain that is.
SAME_ORIGIN_API_URL: Final = "http://localhost"


def reflex_environment(
    *,
    bun: Path | None = None,
    api_url: str | None = None,
    backend_host: str | None = None,
    backend_port: int | None = None,
    workdir: str | None = None,
    cors_allowed_origins: str | None = None,
    trusted_proxy_hops: int | None = None,
) -> dict[str, str]:
    """Reflex's own variables as this product sets them; nothing is ever phoned home.

    Each caller passes what its place needs: the export the baked-in API URL,
    the container and the hosted proof where the backend listens and whom it
    trusts, the local launcher which bun to run.
    """
    chosen = {
        REFLEX_BUN_PATH: str(bun.resolve()) if bun is not None else None,
        REFLEX_API_URL: api_url,
        REFLEX_BACKEND_HOST: backend_host,
        REFLEX_BACKEND_PORT: None if backend_port is None else str(backend_port),
        REFLEX_WEB_WORKDIR: workdir,
        REFLEX_CORS_ALLOWED_ORIGINS: cors_allowed_origins,
        REFLEX_TRUSTED_PROXY_HOPS: None if trusted_proxy_hops is None else str(trusted_proxy_hops),
    }
    return {
        REFLEX_TELEMETRY_ENABLED: "false",
        REFLEX_CHECK_LATEST_VERSION: "false",
        **{name: value for name, value in chosen.items() if value is not None},
    }


def without_reflex_settings(env: Mapping[str, str], *also: str) -> dict[str, str]:
    """`env` less every Reflex variable and `also`: a shell's leftovers never reach a build."""
    return {k: v for k, v in env.items() if not k.startswith(REFLEX_PREFIX) and k not in also}
