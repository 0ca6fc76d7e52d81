"""The HTTP API (django-ninja), mounted at /api/v1/ with its OpenAPI document at /api/v1/openapi.json.
Every app adds its router here; every endpoint authenticates and scopes like the pages."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import SessionAuth

from gonghui.common.errors import DomainError


class CadreSessionAuth(SessionAuth):
    """A logged-in account that has passed two-factor where its roles require it and has replaced
    its initial password."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user and ((user.requires_two_factor and not user.is_verified()) or user.must_change_password):
            return None
        return user


api = NinjaAPI(title="智慧工会 API", version="1", auth=CadreSessionAuth(), urls_namespace="api")


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该记录。"}, status=404)


api.add_router("/orgs", "gonghui.orgs.api.router")
