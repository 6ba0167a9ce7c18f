"""The landing page (what this user can do, by role; a cadre with nothing
else to do goes straight to their enterprises) and the login lockout page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from cadres import permissions

from .navigation import links_for


@login_required
def home(request):
    links = links_for(request.user)
    if permissions.is_cadre(request.user) and not permissions.can_view_reports(request.user):
        return redirect("visits:my")
    return render(request, "home.html", {"links": links})


def locked_out(request, original_response=None, credentials=None):
    """django-axes's answer to a locked-out login: a page in Chinese (and
    English) saying for how long, with status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind ``PROXY_COUNT`` trusted
    proxies the address the first of them saw (X-Forwarded-For, counted from
    the right, so a client cannot forge it)."""
    hops = settings.PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
