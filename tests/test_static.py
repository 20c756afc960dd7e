import subprocess
import sys
from pathlib import Path

from tests.test_settings import BASE, PRODUCTION


def test_collectstatic_builds_hashed_and_compressed_files(tmp_path):
    """What whitenoise serves in production: hashed names, gzip and brotli-free gzip copies."""
    script = (
        "import django, os;"
        "from django.conf import settings;"
        f"settings.STATIC_ROOT = {str(tmp_path)!r};"
        "from django.core.management import call_command;"
        "call_command('collectstatic', '--no-input', verbosity=0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + script],
        cwd=BASE,
        env={
            "DJANGO_SETTINGS_MODULE": "gransforum.settings",
            "PATH": "/usr/bin:/bin",
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    css = list(Path(tmp_path, "css").glob("app.*.css"))
    assert css, "no hashed app.css"
    assert Path(str(css[0]) + ".gz").exists()
    assert (tmp_path / "staticfiles.json").exists()
    assert list(Path(tmp_path, "django_htmx").glob("htmx-2.min.*.js"))
