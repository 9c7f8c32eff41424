from django.apps import AppConfig
from django.db.backends.signals import connection_created


def add_sleep_function_to_sqlite(sender, connection, **kwargs):
    """Give SQLite connections a pg_sleep(seconds), as PostgreSQL has: pages/views/database.py: slow_query waits
    inside the database on both tracks. time.sleep releases the GIL while it waits, as a database server would."""
    if connection.vendor == "sqlite":
        import time

        connection.connection.create_function("pg_sleep", 1, time.sleep)


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Demo endpoints"

    def ready(self):
        connection_created.connect(add_sleep_function_to_sqlite, dispatch_uid="pages.add_sleep_function_to_sqlite")
