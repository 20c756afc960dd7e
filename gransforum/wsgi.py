import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gransforum.settings")

application = get_wsgi_application()
# A request whose Content-Type Django cannot read is answered 400, not 500
# (gransforum.middleware.TolerantRequest).
from gransforum.middleware import TolerantRequest  # noqa: E402

application.request_class = TolerantRequest

import gransforum.urls  # noqa: E402, F401 (every view, loaded before the freeze below)

# What is loaded by now lives as long as the worker: frozen, it is no longer walked
# by each full collection. Those came every few redraws of a full hall's dashboard
# and took 60 ms there, 11 ms frozen (bench/HISTORY.md, ninth series).
gc.freeze()
