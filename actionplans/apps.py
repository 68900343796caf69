from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self):
        from core import councils

        from . import (
            page_cache,  # noqa: F401  (its signals keep the plan page's reuse right)
            rules,
        )

        # A user's council is their owner record's: these rules answer for apps below this one.
        councils.answered_by(rules)
