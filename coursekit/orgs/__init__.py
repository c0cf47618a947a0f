"""Organisations: the client companies of a deployment, each with its own branding."""
