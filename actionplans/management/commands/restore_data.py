from django.core.management.base import BaseCommand, CommandError

from actionplans.backup import restore
from core.errors import Refused


class Command(BaseCommand):
    help = (
        "Restore an archive made by backup_data into a database that has been migrated and holds "
        "nothing else, and an empty PRIVATE_MEDIA_ROOT. Refuses anything else."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by backup_data.")

    def handle(self, *args, archive, **options):
        try:
            rows, files = restore(archive)
        except Refused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"Restored {archive}: {rows} rows and {files} evidence files.")
