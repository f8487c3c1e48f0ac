"""The app's settings and its API client, built once per process from the environment.

State handlers look `SIGNUP_API` up here when they run (`services.SIGNUP_API`),
so tests point every page at a fake API by patching this one name.
"""

from __future__ import annotations

import os
from typing import Final

from signup_web.api import SignupApi, call_timeout
from signup_web.settings import WebSettings

SETTINGS: Final = WebSettings.from_env(os.environ)
SIGNUP_API: SignupApi = SignupApi(
    SETTINGS.api_url,
    client_address_secret=SETTINGS.client_address_secret,
    timeout=call_timeout(SETTINGS.api_timeout_seconds),
)
