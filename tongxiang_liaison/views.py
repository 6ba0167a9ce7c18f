"""The landing page: what this user can do, by role. A cadre with nothing
else to do goes straight to their enterprises."""

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
