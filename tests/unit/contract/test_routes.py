"""contract/routes.py is the one statement of the API's surface."""

from __future__ import annotations

from contract.routes import CORS, CREATE_USER, ROUTES, find_route, methods_on


def test_routes_are_unique_and_found_by_method_and_path() -> None:
    assert len({route.key for route in ROUTES}) == len(ROUTES)
    for route in ROUTES:
        assert find_route(route.method, route.path) is route
    assert find_route("GET", CREATE_USER.path) is None
    assert find_route("POST", "/createuser") is None


def test_routes_methods_on_a_path() -> None:
    assert methods_on(CREATE_USER.path) == ("POST",)
    assert methods_on("/nothing") == ()


def test_routes_cors_allows_exactly_the_routes_methods() -> None:
    assert set(CORS.allow_methods) == {route.method for route in ROUTES}
    assert "content-type" in CORS.allow_headers
    assert "idempotency-key" in CORS.allow_headers
    assert not CORS.allow_credentials


def test_routes_only_me_needs_a_bearer_token() -> None:
    assert [route.key for route in ROUTES if route.bearer] == ["GET /me", "DELETE /me"]
    assert "authorization" in CORS.allow_headers
