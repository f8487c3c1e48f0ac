"""Infrastructure: Pulumi components and the local stage."""
