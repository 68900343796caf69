from django.core.management.base import BaseCommand

from actionplans.backup import backup


class Command(BaseCommand):
    help = (
        "Write every table (records, history, sessions, queue) and every evidence file into one "
        ".tar.gz archive, for restore_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="The archive to write (.tar.gz).")

    def handle(self, *args, output, **options):
        rows, files = backup(output)
        self.stdout.write(f"Wrote {output}: {rows} rows and {files} evidence files.")
