"""marshmallow schemas of the JSON API, one module per resource.

The API adds them; the data each workflow trigger takes is validated by the
core itself (``workflow.workflows``), so the API schemas will reuse those.
"""
