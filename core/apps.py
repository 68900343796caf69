from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared parts"

    def ready(self):
        from django.db.models import Field

        from . import people  # noqa: F401  (its signal keeps a sign-in history names)
        from .lookups import AnyOf

        Field.register_lookup(AnyOf)
