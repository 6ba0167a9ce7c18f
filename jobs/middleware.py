"""After a write request: hand-off notices and the dashboard recount (jobs.changes)."""

import logging

from django.db import DatabaseError

from . import changes

logger = logging.getLogger(__name__)
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


class AfterWriteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE
            and response.status_code < 400
            and (
                (user is not None and user.is_authenticated)
                or getattr(request, "portal_contact", None) is not None  # an enterprise's own request
            )
        ):
            try:
                changes.after_write()
            except DatabaseError:  # the write itself is done; the beat tells and recounts later
                logger.exception("after-write step failed")
        return response
