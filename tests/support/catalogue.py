"""The hostile catalogue: HTTP requests with the exact answer each must get, and the checks.

The same table runs in-process through the real handler on moto
(test_catalogue.py) and over HTTP against the local stage
(test_catalogue_http.py). Identities carry a per-run tag so that the table
can be checked even when other suites share it.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.request import MAX_BODY_BYTES
from contract.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL, find_route
from contract.rules import email_key, username_key
from tests.plugins.hygiene import register_secret
from tests.support import users
from tests.support.events import api_event
from tests.support.integrity import integrity_problems
from tests.support.secrets import PASSWORDS

JSON = "application/json"
GATEWAY_QUOTA = 10 * 1024 * 1024  # API Gateway HTTP API's payload quota

# Distinctive passwords the catalogue sends besides tests.unit's; the secret
# guard must never see them in a log, a response or an exception message.
TOO_LONG_PASSWORD = (PASSWORDS[2] + " / ") * 4 + "x" * 17  # 129 characters
HUGE_PASSWORD = "".join(chr(0x4E00 + i * 7 % 2000) for i in range(2000))  # 6000 UTF-8 bytes
for _secret in (TOO_LONG_PASSWORD, HUGE_PASSWORD, PASSWORDS[4] + "🦄"):
    register_secret(_secret)


@dataclass(frozen=True)
class HostileRequest:
    """One request and the answer it must get: status and error codes, in order."""

    name: str
    body: bytes
    status: int
    codes: tuple[str, ...] = ()
    content_type: str | None = JSON
    extra_headers: tuple[tuple[str, str], ...] = ()
    method: str = CREATE_USER.method
    path: str = CREATE_USER.path
    # Over HTTP API Gateway answers this one itself, with its {"message"} body.
    gateway_status: int | None = None

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The request headers, in order, repeats kept."""
        typed = [("content-type", self.content_type)] if self.content_type is not None else []
        return typed + list(self.extra_headers)

    @property
    def is_documented(self) -> bool:
        """True when the request targets an operation of the API (the document describes it)."""
        return find_route(self.method, self.path) is not None

    @property
    def is_sign_up(self) -> bool:
        """True when the request is a sign-up (its acceptance creates a pending user)."""
        return (self.method, self.path) == (CREATE_USER.method, CREATE_USER.path)

    def json_fields(self) -> Mapping[str, object]:
        """The decoded body when it is a JSON object, else empty (for the table check)."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


@dataclass
class Identity:
    """Usernames and emails unique to one run, so runs and suites can share a table."""

    tag: str
    _count: int = field(default=0)

    def next(self) -> tuple[str, str]:
        """A fresh (username, email) pair that passes every rule."""
        self._count += 1
        return f"h{self.tag}n{self._count:02d}", f"h{self.tag}.n{self._count:02d}@example.com"


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _padded(payload: Mapping[str, object], size: int) -> bytes:
    """`payload` as JSON padded with inner whitespace to exactly `size` bytes."""
    text = _json(payload)
    return text[:-1] + b" " * (size - len(text)) + b"}"


def _long_email(tag: str, length: int) -> str:
    """An address of `length` characters: a 64-character local part, labels of at most 63."""
    local = f"m{tag}".ljust(64, "x")
    last = length - len(local) - 1 - (63 + 1 + 63 + 1) - len(".com")
    return f"{local}@{'a' * 63}.{'b' * 63}.{'c' * last}.com"


def hostile_requests(tag: str) -> list[HostileRequest]:
    """The catalogue for one run; `tag` (a few lowercase hex digits) makes identities unique."""
    ids = Identity(tag)

    def signup(password: str = PASSWORDS[0], **fields: object) -> dict[str, object]:
        username, email = ids.next()
        return {**users.signup(username, email, password), **fields}

    def case(
        name: str, body: bytes | dict[str, object], status: int, *codes: str, **kw: Any
    ) -> HostileRequest:
        raw = body if isinstance(body, bytes) else _json(body)
        return HostileRequest(name, raw, status, codes, **kw)

    valid = _json(signup())
    deep_ok = b'{"username":' + b"[" * 31 + b"]" * 31 + b"}"
    deep_objects = b'{"a":' * 40 + b"1" + b"}" * 40
    kelvin_user, _ = ids.next()
    idn_local = f"i{tag}"
    return [
        # --- malformed and truncated JSON ---------------------------------------------
        case("trailing-comma", b'{"username": "ada",}', 400, "body_invalid_json"),
        case("truncated", valid[: len(valid) // 2], 400, "body_invalid_json"),
        case("truncated-one-byte", valid[:-1], 400, "body_invalid_json"),
        case("single-quotes", b"{'username': 'ada'}", 400, "body_invalid_json"),
        case("unquoted-keys", b'{username: "ada"}', 400, "body_invalid_json"),
        case("bare-words", b"sign me up please", 400, "body_invalid_json"),
        case("nan", b'{"username": NaN}', 400, "body_invalid_json"),
        case("infinity", b'{"password": -Infinity}', 400, "body_invalid_json"),
        case("comment", b'{"username": "ada" /* hi */}', 400, "body_invalid_json"),
        case("two-objects", valid + valid, 400, "body_invalid_json"),
        case("utf8-bom", b"\xef\xbb\xbf" + valid, 400, "body_invalid_json"),
        # --- deep nesting -------------------------------------------------------------
        case("depth-33", b'{"username":' + b"[" * 32 + b"]" * 32 + b"}", 400, "body_too_deep"),
        case(
            "depth-32-is-parsed", deep_ok, 400, "field_type", "email_required", "password_required"
        ),
        case("depth-5000-unclosed", b"[" * 5000, 400, "body_too_deep"),
        case("depth-40-objects", deep_objects, 400, "body_too_deep"),
        # --- arrays and numbers where objects or strings belong ----------------------
        case("top-level-array", b"[" + valid + b"]", 400, "body_not_object"),
        case("top-level-number", b"42", 400, "body_not_object"),
        case("top-level-string", b'"ada"', 400, "body_not_object"),
        case("top-level-null", b"null", 400, "body_not_object"),
        case("top-level-true", b"true", 400, "body_not_object"),
        case("array-username", signup(username=["ada"]), 400, "field_type"),
        case("number-email", signup(email=42), 400, "field_type"),
        case("object-password", signup(password={"value": PASSWORDS[0]}), 400, "field_type"),
        case("bool-username", signup(username=True), 400, "field_type"),
        case("null-username", signup(username=None), 400, "username_required"),
        case(
            "huge-float-email",
            b'{"username":"a","email":1e999999}',
            400,
            "username_too_short",
            "field_type",
            "password_required",
        ),
        case("5000-digit-integer", b'{"username":' + b"9" * 5000 + b"}", 400, "body_invalid_json"),
        # --- duplicate keys ---------------------------------------------------------------
        case("duplicate-key", valid[:-1] + b',"username":"eve"}', 400, "field_duplicate"),
        case(
            "duplicate-key-escaped",
            valid[:-1] + b',"\\u0075sername":"eve"}',
            400,
            "field_duplicate",
        ),
        case("duplicate-key-nested", b'{"username":{"a":1,"a":2}}', 400, "field_duplicate"),
        # --- invalid UTF-8, NUL bytes, base64 garbage --------------------------------
        case("invalid-utf8", b'{"username":"\xff\xfe"}', 400, "body_invalid_json"),
        case("overlong-utf8", b'{"username":"\xc0\xaf"}', 400, "body_invalid_json"),
        case("utf16-body", valid.decode().encode("utf-16"), 400, "body_invalid_json"),
        case("lone-surrogate", b'{"username":"ada\\ud800"}', 400, "body_invalid_json"),
        case("escaped-lone-surrogate", b'{"password":"abc\\udfffdef"}', 400, "body_invalid_json"),
        case("raw-nul-in-string", b'{"username":"ada\x00x"}', 400, "body_invalid_json"),
        case("nul-before-body", b"\x00" + valid, 400, "body_invalid_json"),
        case("escaped-nul-username", signup(username="ada\x00lovelace"), 400, "username_invalid"),
        case("escaped-nul-email", signup(email="ada\x00@example.com"), 400, "email_invalid"),
        case("base64-text-as-json", base64.b64encode(valid), 400, "body_invalid_json"),
        case("binary-garbage", bytes(range(256)) * 4, 400, "body_invalid_json"),
        # --- empty body, wrong and missing content types --------------------------
        case("empty", b"", 400, "body_required"),
        case("whitespace-only", b" \r\n\t ", 400, "body_required"),
        case("empty-no-content-type", b"", 415, "unsupported_media_type", content_type=None),
        case("no-content-type", valid, 415, "unsupported_media_type", content_type=None),
        case("text-plain", valid, 415, "unsupported_media_type", content_type="text/plain"),
        case(
            "form-urlencoded",
            b"username=ada&email=a%40example.com",
            415,
            "unsupported_media_type",
            content_type="application/x-www-form-urlencoded",
        ),
        case(
            "multipart",
            b"--x\r\n\r\nada\r\n--x--",
            415,
            "unsupported_media_type",
            content_type="multipart/form-data; boundary=x",
        ),
        case(
            "charset-latin1",
            valid,
            415,
            "unsupported_media_type",
            content_type="application/json; charset=latin-1",
        ),
        case(
            "charset-utf16",
            valid.decode().encode("utf-16"),
            415,
            "unsupported_media_type",
            content_type="application/json; charset=utf-16",
        ),
        case(
            "json-patch",
            valid,
            415,
            "unsupported_media_type",
            content_type="application/json-patch+json",
        ),
        case(
            "content-type-twice",
            valid,
            415,
            "unsupported_media_type",
            extra_headers=(("content-type", JSON),),
        ),
        case(
            "quoted-utf8-charset-ok", signup(), 200, content_type='application/json;charset="UTF-8"'
        ),
        case(
            "mixed-case-media-type-ok",
            signup(),
            200,
            content_type="Application/JSON; Charset=utf-8",
        ),
        # --- bodies just under and over the limits ------------------------------
        case("body-exactly-16KiB-ok", _padded(signup(), MAX_BODY_BYTES), 200),
        case("body-16KiB-plus-1", _padded(signup(), MAX_BODY_BYTES + 1), 413, "payload_too_large"),
        case("body-1MiB", _padded(signup(), 1024 * 1024), 413, "payload_too_large"),
        case(
            "body-over-gateway-quota",
            _padded(signup(), GATEWAY_QUOTA + 1),
            413,
            "payload_too_large",
            gateway_status=413,
        ),
        # --- huge strings in every field --------------------------------------------
        case("huge-username", signup(username="u" * 16_000), 400, "username_too_long"),
        case("huge-email", signup(email="e" * 15_900 + "@example.com"), 400, "email_invalid"),
        case("huge-password", signup(password=HUGE_PASSWORD), 400, "password_too_long"),
        case(
            "huge-everything",
            {"username": "u" * 5000, "email": "e" * 5000, "password": HUGE_PASSWORD},
            400,
            "username_too_long",
            "email_invalid",
            "password_too_long",
        ),
        case("huge-unknown-key", signup(**{"k" * 15_000: 1}), 400, "field_unknown"),
        case(
            "huge-escaped-string",
            _json(signup(username="@@")).replace(
                b'"@@"', b'"' + b"\\u0041" * 2600 + b'"'
            ),  # 6 bytes each, one character
            400,
            "username_too_long",
        ),
        # --- zero-width, bidi and confusable usernames ------------------------------
        case(
            "username-zero-width-space", signup(username=f"ada\u200b{tag}"), 400, "username_invalid"
        ),
        case("username-zwj", signup(username=f"ada\u200d{tag}"), 400, "username_invalid"),
        case("username-zwnj", signup(username=f"ada\u200c{tag}"), 400, "username_invalid"),
        case("username-inner-bom", signup(username=f"ada\ufeff{tag}"), 400, "username_invalid"),
        case("username-rlo", signup(username=f"\u202eada{tag}"), 400, "username_invalid"),
        case(
            "username-isolates", signup(username=f"\u2067ada{tag}\u2069"), 400, "username_invalid"
        ),
        case("username-cyrillic-a", signup(username=f"\u0430da{tag}"), 400, "username_invalid"),
        case("username-greek-omicron", signup(username=f"r\u03bfot{tag}"), 400, "username_invalid"),
        case("username-dotless-i", signup(username=f"adm\u0131n{tag}"), 400, "username_invalid"),
        case(
            "username-combining-accent", signup(username=f"ada\u0301{tag}"), 400, "username_invalid"
        ),
        case("username-fullwidth-admin", signup(username="ａｄｍｉｎ"), 400, "username_reserved"),
        case("username-math-bold-root", signup(username="𝐫𝐨𝐨𝐭"), 400, "username_reserved"),
        case("username-separated-admin", signup(username="ad.min"), 400, "username_reserved"),
        case("username-kelvin-sign-ok", signup(username=f"\u212a{kelvin_user}"), 200),
        case(
            "username-kelvin-ascii-taken",
            signup(username=f"K{kelvin_user.upper()}"),
            409,
            "username_taken",
        ),
        # --- emails: quoted local parts, IDN domains, maximum lengths ------------------
        case("email-quoted-local", signup(email=f'"ada {tag}"@example.com'), 400, "email_invalid"),
        case("email-quoted-plain", signup(email=f'"ada{tag}"@example.com'), 400, "email_invalid"),
        case(
            "email-display-name", signup(email=f"Ada <ada{tag}@example.com>"), 400, "email_invalid"
        ),
        case(
            "email-crlf-injection",
            signup(email=f"ada{tag}@example.com\r\nBcc: x@example.com"),
            400,
            "email_invalid",
        ),
        case("email-idn-domain-ok", signup(email=f"{idn_local}@bücher.de"), 200),
        # The same address (its pending sign-up is replaced, never "taken").
        case("email-punycode-same-domain", signup(email=f"{idn_local}@xn--bcher-kva.de"), 200),
        case("email-idn-upper-case", signup(email=f"{idn_local.upper()}@BÜCHER.DE"), 200),
        # SES cannot deliver to a non-ASCII local part: refused, not lost.
        case("email-unicode-local", signup(email=f"ädä{tag}@example.com"), 400, "email_invalid"),
        case("email-local-64-ok", signup(email=f"l{tag}".ljust(64, "l") + "@example.com"), 200),
        case(
            "email-local-65",
            signup(email=f"l{tag}".ljust(65, "l") + "@example.com"),
            400,
            "email_invalid",
        ),
        case("email-254-ok", signup(email=_long_email(tag, 254)), 200),
        case("email-255", signup(email=_long_email(tag, 255)), 400, "email_invalid"),
        case("email-label-64", signup(email=f"ada{tag}@{'a' * 64}.com"), 400, "email_invalid"),
        # --- passwords ------------------------------------------------------------
        case("password-128-emoji-ok", signup(password=PASSWORDS[4]), 200),
        case(
            "password-129-characters", signup(password=TOO_LONG_PASSWORD), 400, "password_too_long"
        ),
        case("password-129-emoji", signup(password=PASSWORDS[4] + "🦄"), 400, "password_too_long"),
        case("password-only-spaces", signup(password=" " * 20), 400, "password_common"),
        case("password-129-spaces", signup(password=" " * 129), 400, "password_too_long"),
        case("password-nfkc-expands", signup(password="\ufdfa" * 8), 400, "password_too_long"),
        case("password-empty", signup(password=""), 400, "password_required"),
        # --- fields -----------------------------------------------------------------
        case("no-fields", {}, 400, "username_required", "email_required", "password_required"),
        case("unknown-field", signup(isAdmin=True), 400, "field_unknown"),
        case(
            "mass-assign-user-id",
            signup(userId="00000000-0000-4000-8000-000000000000"),
            400,
            "field_unknown",
        ),
        case("proto-key", signup(__proto__={"admin": True}), 400, "field_unknown"),
        # --- routing: the function's answers; on a stage API Gateway answers first ---
        case("get-method", b"", 405, "method_not_allowed", method="GET", gateway_status=404),
        case("put-method", valid, 405, "method_not_allowed", method="PUT", gateway_status=404),
        case("trace-method", b"", 405, "method_not_allowed", method="TRACE", gateway_status=404),
        case(
            "propfind-method", b"", 405, "method_not_allowed", method="PROPFIND", gateway_status=404
        ),
        case("path-case", valid, 404, "route_not_found", path="/createuser", gateway_status=404),
        *_verification_cases(tag, case),
        *_idempotency_cases(tag, signup(), case),
    ]


def _idempotency_cases(tag: str, body: dict[str, object], case: Any) -> list[HostileRequest]:
    """A key used for one sign-up, replayed, reused for another request; malformed keys."""
    key = f"catalogue-{tag}"

    def keyed(value: str) -> tuple[tuple[str, str], ...]:
        return (("idempotency-key", value),)

    other = {**body, "password": PASSWORDS[3]}
    invalid = "idempotency_key_invalid"
    return [
        case("idempotent-first", body, 200, extra_headers=keyed(key)),
        case("idempotent-replay", body, 200, extra_headers=keyed(key)),
        case("idempotent-reused", other, 422, "idempotency_key_reused", extra_headers=keyed(key)),
        case("idempotency-key-empty", body, 400, invalid, extra_headers=keyed("")),
        case("idempotency-key-256", body, 400, invalid, extra_headers=keyed("k" * 256)),
        case("idempotency-key-tab", body, 400, invalid, extra_headers=keyed("a\tb")),
    ]


def _verification_cases(tag: str, case: Any) -> list[HostileRequest]:
    """Hostile requests to the verification routes (no link of the run is ever guessed)."""
    verify, resend = VERIFY_EMAIL.path, RESEND_VERIFICATION.path
    unknown = "A" * 43
    typed = PASSWORDS[0]

    def link(token: object) -> dict[str, object]:
        return {"token": token, "password": typed}

    return [
        case("verify-unknown-token", link(unknown), 400, "token_invalid", path=verify),
        case("verify-short-token", link("abc"), 400, "token_invalid", path=verify),
        case("verify-token-bad-chars", link("=" * 43), 400, "token_invalid", path=verify),
        case("verify-huge-token", link("A" * 10_000), 400, "token_invalid", path=verify),
        case("verify-no-token", {"password": typed}, 400, "token_required", path=verify),
        case("verify-null-token", link(None), 400, "token_required", path=verify),
        case("verify-number-token", link(42), 400, "field_type", path=verify),
        case("verify-array-token", link([unknown]), 400, "field_type", path=verify),
        case("verify-no-password", {"token": unknown}, 400, "password_required", path=verify),
        case("verify-empty-object", {}, 400, "token_required", "password_required", path=verify),
        case(
            "verify-number-password",
            {"token": unknown, "password": 7},
            400,
            "field_type",
            path=verify,
        ),
        case(
            "verify-extra-field",
            {**link(unknown), "userId": "x"},
            400,
            "field_unknown",
            path=verify,
        ),
        case("verify-array-body", b"[]", 400, "body_not_object", path=verify),
        case("verify-empty", b"", 400, "body_required", path=verify),
        case(
            "verify-text-plain",
            _json(link(unknown)),
            415,
            "unsupported_media_type",
            path=verify,
            content_type="text/plain",
        ),
        case(
            "verify-get-method",
            b"",
            405,
            "method_not_allowed",
            method="GET",
            path=verify,
            gateway_status=404,
        ),
        case("resend-unknown-address", {"email": f"nobody{tag}@example.com"}, 202, path=resend),
        case(
            "resend-invalid-address", {"email": "not an address"}, 400, "email_invalid", path=resend
        ),
        case("resend-no-address", {}, 400, "email_required", path=resend),
        case("resend-number-address", {"email": 7}, 400, "field_type", path=resend),
        case(
            "resend-extra-field",
            {"email": f"nobody{tag}@example.com", "token": "x"},
            400,
            "field_unknown",
            path=resend,
        ),
        case("resend-invalid-json", b"{", 400, "body_invalid_json", path=resend),
    ]


def to_event(request: HostileRequest, request_id: str) -> dict[str, Any]:
    """The payload-2.0 event API Gateway sends for `request` (text or base64 body)."""
    return api_event(
        raw=request.body,
        headers=request.headers,
        method=request.method,
        path=request.path,
        request_id=request_id,
    )


def _key(value: object) -> str | None:
    return unicodedata.normalize("NFKC", value).casefold() if isinstance(value, str) else None


def accepted_sign_ups(answers: Iterable[tuple[HostileRequest, int, str]]) -> list[tuple[str, str]]:
    """(username key, address key) of each sign-up answered 200, in the order sent.

    `answers` holds each request with its status and body text, in order.
    """
    accepted = []
    for request, status, text in answers:
        if request.is_sign_up and status == 200:
            body = json.loads(text)
            accepted.append((username_key(body["username"]), email_key(body["email"])))
    return accepted


def table_problems(
    items: Iterable[Mapping[str, Any]],
    accepted: Sequence[tuple[str, str]],
    rejected: Iterable[HostileRequest],
    tag: str,
) -> list[str]:
    """How the table breaks "no partial user, nothing from a rejected request" (empty: it holds).

    `items` are the table's items (DynamoDB JSON); `accepted` lists the
    (username key, address key) of each accepted sign-up, in the order sent:
    a later sign-up for the same address replaced the earlier (pending) one.
    """
    by_key = {item["pk"]["S"]: item for item in items}
    problems = integrity_problems(by_key.values())
    survivors = dict((email, username) for username, email in accepted)
    tagged = {
        (item["usernameKey"]["S"], item["emailKey"]["S"])
        for pk, item in by_key.items()
        if pk.startswith("USER#") and tag in item["usernameKey"]["S"] + item["emailKey"]["S"]
    }
    expected = {(username, email) for email, username in survivors.items()}
    if tagged != expected:
        problems.append(f"sign-ups of this run {sorted(tagged)} != accepted {sorted(expected)}")
    owned = {f"USERNAME#{u}" for u, _ in expected} | {f"EMAIL#{e}" for _, e in expected}
    for request in rejected:
        fields = request.json_fields()
        for kind, name in (("USERNAME", "username"), ("EMAIL", "email")):
            key = _key(fields.get(name))
            marker = f"{kind}#{key}"
            if key and marker in by_key and marker not in owned:
                problems.append(f"{request.name}: {marker} was written")
    return problems
