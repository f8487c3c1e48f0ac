"""The Lambda package behind `POST /createUser`."""
