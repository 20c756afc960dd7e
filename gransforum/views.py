from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """For a load balancer's health check, and the benchmark's baseline: no database, a constant."""
    return HttpResponse("ok", content_type="text/plain")
