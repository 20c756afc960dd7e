"""Export a workshop's results to a file, for scripted archiving.

    python manage.py export_results 12 --format xlsx --output varmland.xlsx
    python manage.py export_results 12 --format json --output - > varmland.json
    python manage.py export_results 12 --format csv-nordic --output varmland-excel.zip

The same files as the download buttons on the workshop's export page
(discussions/export.py); display names only with --names.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from discussions import export
from discussions.models import Workshop

SUFFIXES = {".xlsx": "xlsx", ".zip": "csv", ".json": "json"}


class Command(BaseCommand):
    help = "Export a workshop's results as XLSX, CSV (a ZIP, standard or Nordic) or JSON."

    def add_arguments(self, parser):
        parser.add_argument("workshop", type=int, help="The workshop's id.")
        parser.add_argument(
            "--format",
            dest="kind",
            choices=sorted(export.FORMATS),
            help=(
                "xlsx, csv (a ZIP of CSV files), csv-nordic (the same with semicolons and"
                " decimal commas, for Swedish and Norwegian Excel) or json; by default from"
                " the output's suffix."
            ),
        )
        parser.add_argument(
            "--output", required=True, help="The file to write, or - for standard output."
        )
        parser.add_argument(
            "--names",
            action="store_true",
            help="Include participants' display names (default: anonymous ids only).",
        )

    def handle(self, *args, workshop, kind, output, names, **options):
        kind = kind or SUFFIXES.get(Path(output).suffix.lower())
        if kind is None:
            raise CommandError("Give --format xlsx, csv or json (the output's suffix says none).")
        target = Workshop.objects.filter(pk=workshop).first()
        if target is None:
            raise CommandError(f"No workshop with id {workshop}.")
        content = export.build(target, kind, include_names=names)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        # Write beside the target and rename: an archive never holds half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {len(content)} bytes of {kind} to {path}.")
