"""The stack schema: one typed reader of a stage's policy (`Pulumi.<stage>.yaml`)."""
