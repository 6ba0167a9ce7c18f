from django import forms

from .credit_code import normalise_credit_code


class CreditCodeField(forms.CharField):
    """Accepts what people paste (spaces, full-width digits, lower case) and
    hands the model the normalised code to validate."""

    def __init__(self, *args, max_length=None, **kwargs):
        # The 18-character limit applies to the normalised code (the model checks it).
        super().__init__(*args, max_length=None, **kwargs)

    def to_python(self, value):
        return normalise_credit_code(super().to_python(value))
