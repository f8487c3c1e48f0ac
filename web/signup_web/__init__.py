"""The sign-up web app: a Reflex form in front of `POST /createUser`."""
