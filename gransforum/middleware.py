import io
import ipaddress

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.handlers.wsgi import LimitedStream, WSGIRequest
from django.http import HttpResponse
from django.middleware import locale
from django.utils import translation
from django.utils.http import parse_header_parameters

from gransforum import languages


def request_body_limit(get_response):
    """Refuse a request body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413, file parts included."""
    # Why: Django counts only form fields towards that size, so the file parts of a
    # multipart body went uncapped (to a temporary file), and the app takes no files.

    def middleware(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _body_too_large(request, limit):
            return HttpResponse(
                f"Request body too large: this server accepts at most {limit} bytes.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware


def _body_too_large(request, limit: int) -> bool:
    length = request.META.get("CONTENT_LENGTH")
    if length:
        try:
            return int(length) > limit
        except ValueError:
            return False  # Django reads a malformed length as no body at all
    raw = getattr(request, "environ", {}).get("wsgi.input")
    if raw is None or not request.META.get("HTTP_TRANSFER_ENCODING"):
        return False
    # A chunked body states no length, and Django's WSGI request would read none of
    # it: read one byte past the limit at most, then pass it on with its length.
    body = b""
    while len(body) <= limit and (chunk := raw.read(limit + 1 - len(body))):
        body += chunk
    if len(body) > limit:
        return True
    request._stream = LimitedStream(io.BytesIO(body), len(body))
    request.META["CONTENT_LENGTH"] = str(len(body))
    return False


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def form_charset_utf8(get_response):
    """Refuse a form body that says it is in a charset other than UTF-8 with 400,
    before anything (a view, the CSRF check, an error page) reads it.

    Why: Django decodes such a body with the charset it names (latin-1, utf-16 …),
    and a form posted in utf-16 with a made-up CSRF cookie ended in a 500 from the
    error handlers reading request.POST again. Browsers send forms in the page's
    charset, UTF-8 here, so no real form is refused."""

    def middleware(request):
        try:
            content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        except ValueError:  # too long, or a charset* naming no codec
            return _bad_request("Bad request: the Content-Type header cannot be read.\n")
        charset = params.get("charset")
        if (
            content_type in FORM_TYPES
            and charset is not None
            and charset.lower() != "utf-8"  # as Django's own check has it
        ):
            return _bad_request("Bad request: send forms as UTF-8 (charset=utf-8).\n")
        return get_response(request)

    return middleware


class TolerantRequest(WSGIRequest):
    """Django's WSGI request, built even when its Content-Type cannot be read.

    Why: Django reads the header while it builds the request, before any middleware,
    and a bad one (a `charset*=` naming no codec, or one over 10,000 characters)
    raised BadRequest there, which nothing caught: a 500. Built with no content type,
    the request reaches form_charset_utf8, which answers 400."""

    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except BadRequest:
            self.content_type, self.content_params = "", {}


def _bad_request(text: str) -> HttpResponse:
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def permissions_policy(get_response):
    """Deny powerful browser features (camera, microphone, geolocation) to every page."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def facilitator_on_this_machine(get_response):
    """With LOCAL_NETWORK (a laptop serving the room over plain http), the
    facilitator's pages, the login and the admin answer only the laptop itself.

    Why: on a shared Wi-Fi plain http can be read by anyone on it, so no login and
    no facilitator session may cross the network; the laptop's own browser runs
    the dashboard and the projector. Phones get 403 with a line saying so."""
    if not settings.LOCAL_NETWORK:
        return get_response
    from django.shortcuts import render

    prefixes = ("/f/", "/konto/", "/" + settings.ADMIN_URL)

    def middleware(request):
        if request.path_info.startswith(prefixes) and not _loopback(request.META["REMOTE_ADDR"]):
            return render(request, "this_machine_only.html", status=403)
        return get_response(request)

    return middleware


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, with the app's one rule for the language (gransforum/languages.py):
    the person's pick, else the phone's languages (Norwegian in any form reads
    bokmål), else Swedish. A workshop's pages then call `use_language` with the
    workshop's language, which stands in for Swedish there. It stands after
    discussions.phone_poll.answer_unchanged: an unchanged poll's 204 has no words."""

    def process_request(self, request):
        use_language(request)


def use_language(request, workshop_language: str | None = None) -> None:
    """Speak the language gransforum/languages.py chooses for this request."""
    language = languages.choose(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        request.headers.get("Accept-Language", ""),
        workshop_language,
    )
    translation.activate(language)
    request.LANGUAGE_CODE = language
