"""Fixtures shared by every suite live in plugin modules, loaded here."""

pytest_plugins = ("tests.plugins.local_stage",)
