from axes.helpers import get_client_ip_address

from .audit import current_ip


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
