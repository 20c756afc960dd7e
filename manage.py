#!/usr/bin/env python
import os
import sys

if sys.version_info < (3, 13):  # noqa: UP036 - refuse clearly instead of failing later
    sys.exit(
        f"Gränsforum needs Python 3.13 or newer; this is Python "
        f"{sys.version_info[0]}.{sys.version_info[1]}. See README.md."
    )


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gransforum.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
