import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gransforum.settings")

django_application = get_wsgi_application()

import gransforum.urls  # noqa: E402, F401 (every view, loaded before the freeze below)
from discussions.phone_views import unchanged_poll  # noqa: E402 (needs the apps loaded)

# What is loaded by now lives as long as the worker: frozen, it is no longer walked
# by each full collection. Those came every few redraws of a full hall's dashboard
# and took 60 ms there, 11 ms frozen (bench/RESULTS.md, ninth series).
gc.freeze()


def application(environ, start_response):
    """Django, except for a phone's unchanged poll: the hottest request of a full hall,
    answered 204 before Django's request handling (phone_views.unchanged_poll)."""
    headers = unchanged_poll(environ)
    if headers is None:
        return django_application(environ, start_response)
    start_response("204 No Content", headers)
    return []
