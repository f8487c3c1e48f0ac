"""Build steps `pulumi up` runs before it creates resources: the Lambda zip and its SBOM,
the page's static export, and how this checkout runs Reflex."""
