"""The accessibility statement (docs/accessibility.md), linked from every page's foot.

Served as the plain text it is written in, so that there is one copy of it: the
repository's, which the tests and the audit keep up to date.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_GET

STATEMENT = settings.BASE_DIR / "docs" / "accessibility.md"


@require_GET
def accessibility(request):
    text = STATEMENT.read_text(encoding="utf-8")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
