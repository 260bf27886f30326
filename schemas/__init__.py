"""marshmallow schemas of the JSON API, one module per resource, on a shared base.

The data each workflow step or creation takes is validated by the core itself
(``workflow.workflows``); the API documents and reuses those schemas.
"""
