"""Flask extensions, created unbound and initialised by the app factory."""

from flask_babel import Babel
from flask_migrate import Migrate
from flask_security import Security

from workflow.db import db

migrate = Migrate()
security = Security()
babel = Babel()

__all__ = ["babel", "db", "migrate", "security"]
