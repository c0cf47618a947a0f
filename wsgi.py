"""The standalone app for gunicorn or `flask run`: configured by COURSEKIT_* variables."""

from coursekit import create_app

app = create_app()
