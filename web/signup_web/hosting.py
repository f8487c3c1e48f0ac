"""How the app is served when hosted: page and backend on one origin, the backend under a path.

This is Reflex's own self-hosting split: the frontend is a static export and
the backend runs alone (`reflex run --env prod --backend-only`); a proxy in
front of both (CloudFront on AWS, nginx in the local proof) sends
BACKEND_PATH to the backend and everything else to the files. rxconfig.py,
web/Dockerfile, infra/web and infra/local all read these values from here.
"""

from __future__ import annotations

from typing import Final

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
