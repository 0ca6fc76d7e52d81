from django.contrib import admin
from django.shortcuts import render


def not_found(request, exception=None):
    """The 404 page, with the back office's context so unfold's theme (colours) applies."""
    return render(request, "404.html", admin.site.each_context(request), status=404)
