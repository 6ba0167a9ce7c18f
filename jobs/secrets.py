"""Secrets kept in the database, encrypted with Fernet (the ``cryptography``
package): a group robot's webhook address (it holds the access token) and
its signing secret.

Why Fernet: authenticated encryption (AES-128-CBC with an HMAC-SHA256 tag
over a versioned token) from a maintained library, nothing hand-rolled; a
tampered or foreign value is refused rather than read as garbage; and
``MultiFernet`` rotates keys.

Keys: ``SECRETS_KEYS``, comma-separated Fernet keys (``python -c "from
cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``);
the first encrypts, every one decrypts, so a new key goes first and the old
one stays until the secrets are saved again. Unset: one key derived from
``SECRET_KEY`` (HKDF-SHA256, a fixed salt and purpose), so the laptop demo
needs no setting; production sets its own, so that a new ``SECRET_KEY`` does
not leave the stored secrets unreadable.

A value written as ``env:NAME`` is a reference, not a secret: the secret is
read from the environment variable ``NAME`` each time it is used. A site that
keeps every secret in its environment file writes only references in the
admin.

A secret is never shown back: :class:`Sealed` prints as dots, the model field
offers no form field of its own (the admin's forms are write-only), and the
transports' errors never carry it."""

import base64
import functools
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext as _

ENV_PREFIX = "env:"
DOTS = "••••••"


class UnreadableSecret(Exception):
    """A stored secret that cannot be read: another key, or a missing variable."""


def derived_key(secret_key: str) -> bytes:
    """The laptop demo's key: HKDF-SHA256 of ``SECRET_KEY`` for this one purpose."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongxiang-liaison", info=b"jobs.secrets/1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


@functools.lru_cache(maxsize=4)
def _fernet(keys: tuple, secret_key: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys or (derived_key(secret_key),)])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "SECRETS_KEYS 中有无效的密钥：每个应为 Fernet 密钥（32 字节的 URL 安全 Base64）。"
            " / SECRETS_KEYS holds a value that is not a Fernet key."
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SECRETS_KEYS), settings.SECRET_KEY)


def seal(plain: str) -> str:
    """The token stored for ``plain`` (empty for empty)."""
    return fernet().encrypt(plain.encode("utf-8")).decode("ascii") if plain else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise UnreadableSecret(
            _("保存的密钥无法解密（加密密钥 SECRETS_KEYS 已更换？），请在后台重新填写。")
        ) from None


class Sealed:
    """A secret as loaded from the database: dots when shown, the text only
    when asked for by :meth:`reveal`."""

    __slots__ = ("token",)

    def __init__(self, token):
        self.token = token or ""

    def __bool__(self):
        return bool(self.token)

    def __str__(self):
        return DOTS if self.token else ""

    __repr__ = __str__

    def __eq__(self, other):
        if isinstance(other, Sealed):
            return self.token == other.token
        return other == "" and not self.token

    def __hash__(self):
        return hash(self.token)

    def env_name(self):
        """The variable a reference names (``env:NAME``), else None."""
        plain = unseal(self.token)
        return plain[len(ENV_PREFIX) :].strip() if plain.startswith(ENV_PREFIX) else None

    def reveal(self) -> str:
        """The secret itself: the stored text, or the variable it names."""
        plain = unseal(self.token)
        if not plain.startswith(ENV_PREFIX):
            return plain
        name = plain[len(ENV_PREFIX) :].strip()
        value = os.environ.get(name, "")
        if not value:
            raise UnreadableSecret(_("环境变量 %(name)s 未设置。") % {"name": name})
        return value


class SealedField(models.TextField):
    """A text column holding a Fernet token. Assign plain text; it is sealed
    when saved, and loaded back as :class:`Sealed`. No form field: a form
    that showed the value would show it, and one that saved it back unchanged
    would seal the dots."""

    description = "A secret, encrypted with Fernet"

    def from_db_value(self, value, expression, connection):
        return Sealed(value)

    def to_python(self, value):
        return value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if not isinstance(value, Sealed):
            value = Sealed(seal(str(value or "")))
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.token
        return seal(str(value)) if value else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return None
