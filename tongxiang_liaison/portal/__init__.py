"""The enterprise pages under /qiye/ (issue 17): signed in by one-time code, own cookie, own templates."""
