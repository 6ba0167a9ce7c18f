"""What every app's forms share."""


def add_service_errors(form, exc):
    """Put a service's ``ValidationError`` on ``form``: each field's messages
    on that field when the form has it, the rest (and a message without a
    field) above the form, so the page comes back with them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
