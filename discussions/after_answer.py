"""Work a request leaves for after its answer is sent.

A live screen's poll that finds new answers is answered at once with what there is;
counting them and drawing them for the screen's next poll waits until the answer is
out. Django sends request_finished once the server has written the answer (and the
test client does the same), in the same thread and on the same database connection,
so the work sees what the request saw, and nobody waits for it.
"""

import logging
import threading

from django.core.signals import request_finished
from django.dispatch import receiver

logger = logging.getLogger(__name__)
_waiting = threading.local()


def later(key, work) -> None:
    """Run work() once this thread's answer is sent; once per key."""
    if getattr(_waiting, "work", None) is None:
        _waiting.work = {}
    _waiting.work.setdefault(key, work)


@receiver(request_finished)
def _run(**kwargs) -> None:
    work, _waiting.work = getattr(_waiting, "work", None), None
    for key, job in (work or {}).items():
        try:
            job()
        except Exception:
            # The answer is gone; the next poll does the work in its request instead.
            logger.exception("work after the answer failed: %s", key)
