"""The stack key `web`: whether a stage serves the sign-up page, and at what size.

Parsed from the one nested object `signup:web` of a stack file with the
schema's own typed reader (infra/stack/reading.py). Every refusal names its
sub-key, e.g. `web.cpu: 300 is not one of [256, 512, 1024, 2048, 4096]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from contract.environment import NEXT_STEP_LABEL, NEXT_STEP_URL, PRODUCT_NAME
from infra.stack.reading import Reader, Section, StageConfigError
from signup_web.settings import safe_link

# Fargate's valid task sizes (AWS, "Task CPU and memory" in the ECS developer
# guide): CPU units -> the memory (MiB) each allows. Larger sizes exist; a
# sign-up page never needs them.
FARGATE_MEMORY_MB: Final[dict[int, frozenset[int]]] = {
    256: frozenset({512, 1024, 2048}),
    512: frozenset(range(1024, 4096 + 1, 1024)),
    1024: frozenset(range(2048, 8192 + 1, 1024)),
    2048: frozenset(range(4096, 16384 + 1, 1024)),
    4096: frozenset(range(8192, 30720 + 1, 1024)),
}
MAX_DESIRED_COUNT: Final = 10
WEB_KEYS: Final = frozenset(
    {"enabled", "desiredCount", "cpu", "memoryMb"}
    | {"domain", "certificateArn", "originDomain", "originCertificateArn"}
    | {"productName", "nextStepUrl", "nextStepLabel"}
)
# Words on a page (a product name, a link's text): one line, not a paragraph.
_MAX_WORDING: Final = 80
_HOSTNAME: Final = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# CloudFront only takes ACM certificates from us-east-1; a load balancer's
# certificate may live in the stage's own region (CloudFront developer guide,
# "Requirements for using SSL/TLS certificates with CloudFront").
_VIEWER_CERTIFICATE: Final = re.compile(r"^arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$")
_ORIGIN_CERTIFICATE: Final = re.compile(
    r"^arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$"
)


@dataclass(frozen=True)
class WebConfig:
    """The hosted sign-up page of one stage: on or off, its size, its optional own domains."""

    enabled: bool
    desired_count: int
    cpu: int
    memory_mb: int
    # The page's own hostname (CloudFront alias) and its us-east-1 certificate.
    domain: str | None = None
    certificate_arn: str | None = None
    # A hostname the team points at the load balancer, with a certificate in
    # the stage's region: CloudFront then reaches the backend over HTTPS.
    origin_domain: str | None = None
    origin_certificate_arn: str | None = None
    # The page's wording (signup_web/settings.py), compiled into the export;
    # None keeps the web app's default.
    product_name: str | None = None
    next_step_url: str | None = None
    next_step_label: str | None = None

    def page_settings(self) -> dict[str, str]:
        """The web app's compiled-in settings this stage sets, by environment variable."""
        values = {
            PRODUCT_NAME: self.product_name,
            NEXT_STEP_URL: self.next_step_url,
            NEXT_STEP_LABEL: self.next_step_label,
        }
        return {name: value for name, value in values.items() if value is not None}


def parse_web_config(value: dict[str, Any]) -> WebConfig:
    """Validate the `web` object of a stack; refusals name the sub-key (`web.cpu: ...`)."""
    web = Reader(Section(value, "web"), prefix="web.")
    unknown = sorted(set(value) - WEB_KEYS)
    web.check(not unknown, ", ".join(unknown), "is not a key of web")
    cpu = web.integer("cpu", min(FARGATE_MEMORY_MB), max(FARGATE_MEMORY_MB))
    web.check(cpu in FARGATE_MEMORY_MB, "cpu", f"{cpu} is not one of {sorted(FARGATE_MEMORY_MB)}")
    memory = web.integer("memoryMb", 512, 30720)
    allowed = FARGATE_MEMORY_MB[cpu]
    web.check(
        memory in allowed, "memoryMb", f"{memory} does not go with cpu {cpu}: {sorted(allowed)}"
    )
    hostname = "is not a lower-case hostname"
    config = WebConfig(
        enabled=web.flag("enabled"),
        desired_count=web.integer("desiredCount", 1, MAX_DESIRED_COUNT),
        cpu=cpu,
        memory_mb=memory,
        domain=web.pattern("domain", _HOSTNAME, hostname),
        certificate_arn=web.pattern(
            "certificateArn", _VIEWER_CERTIFICATE, "is not an ACM certificate in us-east-1"
        ),
        origin_domain=web.pattern("originDomain", _HOSTNAME, hostname),
        origin_certificate_arn=web.pattern(
            "originCertificateArn", _ORIGIN_CERTIFICATE, "is not an ACM certificate ARN"
        ),
        product_name=_wording(web, "productName"),
        next_step_url=_link(web, "nextStepUrl"),
        next_step_label=_wording(web, "nextStepLabel"),
    )
    _pair(web, config.domain, config.certificate_arn, "domain", "certificateArn")
    _pair(
        web,
        config.origin_domain,
        config.origin_certificate_arn,
        "originDomain",
        "originCertificateArn",
    )
    return config


def _wording(web: Reader, key: str) -> str | None:
    text = web.read(key, str)
    ok = text is None or (0 < len(text.strip()) == len(text) <= _MAX_WORDING and text.isprintable())
    web.check(ok, key, f"must be 1..{_MAX_WORDING} printable characters, no outer spaces")
    return text


def _link(web: Reader, key: str) -> str | None:
    text = web.read(key, str)
    if text is None:
        return None
    try:
        return safe_link(text)
    except ValueError as exc:
        message = f"web.{key}: {text!r} is not a path (/...) or an http(s) URL"
        raise StageConfigError(message) from exc


def _pair(
    web: Reader, first: str | None, second: str | None, first_key: str, second_key: str
) -> None:
    # A hostname without its certificate (or the reverse) cannot serve HTTPS.
    web.check((first is None) == (second is None), second_key, f"goes with {first_key}; set both")
