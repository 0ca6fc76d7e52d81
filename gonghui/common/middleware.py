from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.utils.log import log_response

from .audit import current_ip
from .views import not_found, server_error


class AuditContextMiddleware:
    """Makes the client IP available to audit.record() for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The same client address as the login lockout uses (django-ipware, TRUSTED_PROXY_COUNT).
        token = current_ip.set(get_client_ip_address(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class ChineseErrorPagesMiddleware:
    """Our Chinese 404 and 500 pages under DEBUG too. With DEBUG on, Django answers an unknown address or a
    raised Http404 with its English technical 404, and an uncaught error with its technical 500, without
    calling config/urls.py's handlers; DEBUG is on by default (`make run`), and cadres read Chinese.
    The 500's traceback still goes to the log (django.request) and to the test client, as Django's own does.
    Placed after CommonMiddleware, which then still redirects an address missing its final slash."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched (the resolver raised before any view ran): Django's technical 404 under DEBUG.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None  # Django calls config/urls.py's handlers
        if isinstance(exception, Http404):
            return not_found(request, exception)
        if isinstance(exception, PermissionDenied | SuspiciousOperation | BadRequest):
            return None  # answered by handler403 / handler400 in both modes
        signals.got_request_exception.send(sender=None, request=request)
        response = server_error(request)
        log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request,
                     exception=exception)
        return response
