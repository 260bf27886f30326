"""WSGI entry point: ``flask --app wsgi ...`` and application servers load this."""

from alur import create_app

app = create_app()
