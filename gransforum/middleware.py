from django.conf import settings


def permissions_policy(get_response):
    """Deny powerful browser features (camera, microphone, geolocation) to every page."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware
