"""Writes to the enterprise register outside its own import and admin, and
to the enterprises' contacts (issue 17): the cadres' pages and the register's
import come through here, each change in the contacts' history naming who
made it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from tabular.history import bulk_update_with_history, records_history_by
from tabular.phone import is_mobile, normalise_mobile

from .models import Enterprise, EnterpriseContact


def add_enterprises(rows):
    """Add enterprises named by another list (a category list's rows the
    register lacks, when staff choose to add them). ``rows``: dicts with
    ``credit_code``, ``name``, ``place`` and optional ``annual_revenue`` /
    ``revenue_year``; validated by the caller. Returns them saved."""
    enterprises = [Enterprise(**row) for row in rows]
    for enterprise in enterprises:
        enterprise.full_clean(validate_unique=False, validate_constraints=False)
    return Enterprise.objects.bulk_create(enterprises)


# -- the enterprises' contacts ---------------------------------------------------


def duplicate_mobile_message(mobile):
    return _("该企业已有手机号为 %(mobile)s 的联系人。") % {"mobile": mobile}


def _save_contact(contact):
    """Validate ``contact`` (the mobile normalised first, so that 139-0000-0000
    passes its 11-character limit) and save it; the (enterprise, mobile) rule
    as an error on the mobile, never the database's refusal."""
    contact.name = (contact.name or "").strip()
    contact.role = (contact.role or "").strip()
    contact.mobile = normalise_mobile(contact.mobile)
    contact.full_clean(exclude=["enterprise"], validate_unique=False, validate_constraints=False)
    taken = EnterpriseContact.objects.filter(enterprise_id=contact.enterprise_id, mobile=contact.mobile)
    if taken.exclude(pk=contact.pk).exists():
        raise ValidationError({"mobile": duplicate_mobile_message(contact.mobile)})
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:  # the same mobile added meanwhile
        raise ValidationError({"mobile": duplicate_mobile_message(contact.mobile)}) from exc
    return contact


@transaction.atomic
@records_history_by()
def add_contact(enterprise, *, name, mobile, role="", by=None):
    """A new contact of ``enterprise``, who may sign in at once.
    Raises ValidationError (per field) on a bad or repeated mobile."""
    return _save_contact(EnterpriseContact(enterprise=enterprise, name=name, role=role, mobile=mobile))


@transaction.atomic
@records_history_by()
def change_contact(contact, *, name, mobile, role="", by=None):
    """A contact's name, role and mobile corrected; nothing saved on an error
    (``contact`` is left as it was)."""
    changed = EnterpriseContact.objects.get(pk=contact.pk)
    changed.name, changed.role, changed.mobile = name, role, mobile
    _save_contact(changed)
    contact.name, contact.role, contact.mobile = changed.name, changed.role, changed.mobile
    contact.updated_at = changed.updated_at
    return contact


@transaction.atomic
@records_history_by()
def set_contact_active(contact, active, *, by=None):
    """Let a contact sign in again, or no longer (one who left the
    enterprise): kept, with its history and sign-in log, never deleted.
    Their open sessions on the enterprise pages end on their next request."""
    active = bool(active)
    if contact.is_active != active:
        contact.is_active = active
        contact.save(update_fields=["is_active", "updated_at"])
    return contact


@records_history_by()
def contacts_from_register(rows, *, by=None):
    """The contacts the enterprise register names (its 企业联系人 and
    企业联系电话 columns), after an import wrote the rows: ``rows``, the
    imported rows' ``(credit code, written)``, ``written`` true for an
    enterprise the import added or changed.

    A row whose phone is a mobile gives its enterprise a contact with that
    name and mobile, active, unless it has one with that mobile already; a
    landline (0573-88123456), two numbers in one cell or no name gives none.
    An existing contact takes the register's name only from a row the import
    wrote (an unchanged row leaves a cadre's correction alone), and keeps its
    role and its state: a contact a cadre let go stays so, whatever an older
    register says. In bulk: per call one query for the enterprises, one for
    their contacts, one insert and one update, each with its history rows
    naming ``by``. Returns ``(added, renamed)``."""
    written = dict(rows)
    if not written:
        return 0, 0
    wanted = {}  # (enterprise id, mobile) → (name, written)
    enterprises = Enterprise.objects.filter(credit_code__in=list(written)).values_list(
        "pk", "credit_code", "contact_name", "contact_phone"
    )
    for pk, credit_code, name, phone in enterprises:
        name = (name or "").strip()
        if name and phone and is_mobile(phone):
            wanted[pk, normalise_mobile(phone)] = (name, written[credit_code])
    if not wanted:
        return 0, 0
    existing = {
        (contact.enterprise_id, contact.mobile): contact
        for contact in EnterpriseContact.objects.filter(
            enterprise_id__in={pk for pk, _mobile in wanted}, mobile__in={mobile for _pk, mobile in wanted}
        )
    }
    new, renamed, now = [], [], timezone.now()
    for (pk, mobile), (name, was_written) in wanted.items():
        contact = existing.get((pk, mobile))
        if contact is None:
            new.append(EnterpriseContact(enterprise_id=pk, name=name, mobile=mobile, is_active=True))
        elif was_written and contact.name != name:
            contact.name, contact.updated_at = name, now
            renamed.append(contact)
    with transaction.atomic(savepoint=False):  # the import's own transaction: no savepoint of its own
        if new:
            bulk_create_with_history(new, EnterpriseContact, batch_size=1000, default_user=by)
        if renamed:
            bulk_update_with_history(
                renamed, EnterpriseContact, ["name", "updated_at"], batch_size=1000, default_user=by
            )
    return len(new), len(renamed)
