"""Infrastructure, one floor per kind of thing.

- `stack/`: the stack schema, read once from `Pulumi.<stage>.yaml` and validated.
- `components/`: the Pulumi components `__main__.py` composes (`signup_service`).
- `build/`: build steps that run during `pulumi up` (Lambda zip, SBOM, the page's export).
- `local/`: the local stage, `python -m infra.local` (what `make dev` runs).
"""
