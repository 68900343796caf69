"""What loading the demo data tells the apps above importers, which it may not import: each adds
its own demo records (reporting: the demo councils' committees and their meetings)."""

from django.dispatch import Signal

# Sent by importers.demo.load_demo once the plans are loaded, with ``actor`` (its administrator).
loaded = Signal()
