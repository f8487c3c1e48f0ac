"""Pulumi components: each one `ComponentResource` with typed args, built by `signup_service`."""
