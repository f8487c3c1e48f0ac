"""The sign-up web app: Reflex pages in front of createUser, verifyEmail and resendVerification."""
