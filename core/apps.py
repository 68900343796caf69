from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared parts"

    def ready(self):
        from . import people  # noqa: F401  (its signal keeps a sign-in history names)
