"""flask-smorest's Blueprint, with argument schemas made once rather than per request."""

from __future__ import annotations

import flask_smorest


class Blueprint(flask_smorest.Blueprint):
    """Given a schema class, webargs would instantiate it for every request it parses."""

    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's; a schema class becomes its one instance here."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
