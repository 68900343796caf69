from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self):
        from . import page_cache  # noqa: F401  (its signals keep the plan page's reuse right)
