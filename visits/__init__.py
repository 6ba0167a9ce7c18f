"""Visits and the feedback form (Attachment 1, R7–R9). Built by the visits issue."""
