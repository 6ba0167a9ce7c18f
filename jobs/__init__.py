"""Jobs on top of the domain: reminders and in-app notices, quarterly reports.
Celery tasks and management commands are thin shells over these modules."""
