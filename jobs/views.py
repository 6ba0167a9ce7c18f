from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone


@login_required
def notices(request):
    """The user's in-app notices; opening the page marks them read."""
    mine = request.user.notices.all()[:100]
    unread = [n.pk for n in mine if n.read_at is None]
    response = render(request, "jobs/notices.html", {"notices": mine, "unread_ids": set(unread)})
    if unread:
        request.user.notices.filter(pk__in=unread).update(read_at=timezone.now())
    return response
