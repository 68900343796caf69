from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Committee reports and their appendices (plans rendered as they stood on a date)."""

    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from . import signals

        signals.connect()
