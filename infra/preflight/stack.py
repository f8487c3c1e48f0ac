"""What a committed stack file must hold before a first deploy: secrets, real names, short names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]  # (no stubs pinned; one safe_load)

from infra.preflight import Finding
from infra.stack.schema import PROJECT, SECRET_KEYS, StageConfig

# RFC 2606's reserved names: nothing is ever delivered to them.
_PLACEHOLDER: Final = re.compile(r"(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid))$")
# A random secret, no trailing newline, straight into the stack's encrypted config.
_SET_COMMAND: Final = (
    "openssl rand -base64 48 | tr -d '\\n' | pulumi config set --secret {key} --stack {stage}"
)


def stack_findings(path: Path, stage: StageConfig) -> Iterator[Finding]:
    """Everything the stack file itself lacks."""
    config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
    yield from _secrets(config, stage.stage)
    yield from _placeholders(stage, path.name)
    yield from _origin_certificate(stage, config.get("aws:region"), path.name)


def _secrets(config: dict[str, Any], stage: str) -> Iterator[Finding]:
    for key in SECRET_KEYS:
        value = config.get(f"{PROJECT}:{key}")
        if not (isinstance(value, dict) and "secure" in value):
            command = _SET_COMMAND.format(key=key, stage=stage)
            yield Finding(f"{PROJECT}:{key}", "not set as a secret in the stack file", command)


def _placeholders(stage: StageConfig, file: str) -> Iterator[Finding]:
    sender = parseaddr(stage.mail_from)[1]
    names = {
        "mailFrom": sender.rpartition("@")[2],
        "mailDomain": stage.mail_domain,
        "web.domain": stage.web.domain,
        "web.originDomain": stage.web.origin_domain,
        **{
            f"corsOrigins[{i}]": urlsplit(origin).hostname
            for i, origin in enumerate(stage.cors_origins)
        },
    }
    for key, host in names.items():
        if host and _PLACEHOLDER.search(host):
            shown = stage.mail_from if key == "mailFrom" else host
            fix = f"set signup:{key} in {file} to a name of your own"
            if key == "mailFrom":
                fix += " (an address you can read, or one at your mailDomain)"
            yield Finding(key, f"{shown!r} is a placeholder: nothing sent there arrives", fix)


def _origin_certificate(stage: StageConfig, region: str | None, file: str) -> Iterator[Finding]:
    arn = stage.web.origin_certificate_arn
    if arn and region and arn.split(":")[3] != region:
        yield Finding(
            "web.originCertificateArn",
            f"the certificate is in {arn.split(':')[3]}; the load balancer is in {region}",
            f"request it in {region} (aws acm request-certificate --region {region} ...)"
            f" and set it in {file}",
        )
