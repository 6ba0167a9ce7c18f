"""Chinese first, English available: every catalog entry is translated and
compiled, and the language switch changes the pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.*)"$', re.MULTILINE)


def test_every_english_entry_is_translated_and_compiled():
    entries = ENTRY.findall(PO.read_text(encoding="utf-8"))
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    with translation.override("en"):
        stale = [
            msgid for msgid, msgstr in entries if translation.gettext(_unescape(msgid)) != _unescape(msgstr)
        ]
    assert stale == [], "run `make messages` to recompile django.mo"


def _unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n")


@pytest.mark.django_db
def test_pages_read_in_chinese_by_default_and_english_when_switched(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("cadres:compliance")).content.decode()
    assert "结对合规" in page
    assert '<button type="submit" name="language" value="en" class="link" lang="en">English</button>' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("cadres:compliance")).content.decode()
    assert "Pairing compliance" in page and "Cadres below their minimum" in page
    assert 'lang="zh-hans">简体中文</button>' in page
