"""The hosted sign-up page: one component (SignupWeb) and the small modules it is built from."""

from infra.components.page.hosted_page import SignupWeb, SignupWebArgs

__all__ = ["SignupWeb", "SignupWebArgs"]
