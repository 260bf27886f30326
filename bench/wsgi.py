"""The benchmark's server: the app as production runs it, with the raw-SQL yardstick mounted."""

from alur import create_app
from bench import baseline

app = create_app()
baseline.register(app)
