"""What the visits layer tells the layers above it.

``visit_submitted`` is sent, inside the submitting transaction, once a
feedback form is submitted; the issue list (a higher layer) turns its problem
rows into items. Sending a signal keeps ``visits`` from importing upward."""

from django.dispatch import Signal

visit_submitted = Signal()  # sender=Visit, visit=<Visit>, by=<the user who acted, or None>
