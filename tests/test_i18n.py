"""Chinese first, English available: every catalog entry is translated and
compiled, and the language switch changes the pages.

Two catalogs of ours: ``locale/en`` (our Chinese source strings in English,
made by ``make messages``) and ``locale/zh_Hans`` (a few of
django-import-export's own msgids, whose Chinese the library gets wrong,
overridden: LOCALE_PATHS comes before the apps' catalogs)."""

import re
from pathlib import Path

import import_export
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
OVERRIDES = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
LIBRARY = Path(import_export.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.*)"$', re.MULTILINE)
PLURAL = re.compile(r'^msgid "(.+)"\nmsgid_plural "(.+)"\nmsgstr\[0\] "(.*)"$', re.MULTILINE)


def _stale(entries, language):
    with translation.override(language):
        return [m for m, s in entries if translation.gettext(_unescape(m)) != _unescape(s)]


def test_every_english_entry_is_translated_and_compiled():
    entries = ENTRY.findall(PO.read_text(encoding="utf-8"))
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    assert _stale(entries, "en") == [], "run `make messages` to recompile django.mo"


def _msgids(text):
    """Every msgid of a catalog, its lines joined (the library wraps them)."""
    ids = set()
    for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.MULTILINE):
        ids.add("".join(re.findall(r'"(.*)"', block)))
    return ids - {""}


def test_every_override_of_the_library_is_translated_compiled_and_still_its_msgid():
    text = OVERRIDES.read_text(encoding="utf-8")
    entries = ENTRY.findall(text)
    plurals = PLURAL.findall(text)
    assert len(entries) + len(plurals) == text.count("\nmsgid ") - 1  # every entry on one line each
    assert [msgid for msgid, msgstr in entries if not msgstr] == []
    assert [msgid for msgid, _plural, msgstr in plurals if not msgstr] == []
    assert "#, fuzzy" not in text
    assert _stale(entries, "zh-hans") == [], "run `make messages` to recompile django.mo"
    with translation.override("zh-hans"):
        stale = [
            one for one, many, msgstr in plurals if translation.ngettext(one, many, 2) != _unescape(msgstr)
        ]
    assert stale == []
    # Overrides only: each is a msgid of the library (a string it renamed in
    # an upgrade would linger here, overriding nothing).
    library = _msgids(LIBRARY.read_text(encoding="utf-8"))
    ours = {msgid for msgid, _msgstr in entries} | {one for one, _many, _msgstr in plurals}
    assert ours - library == set()
    with translation.override("zh-hans"):
        assert translation.gettext("Some rows failed to validate") == "部分行未通过校验，未写入任何数据"
        assert translation.gettext("Confirm import") == "确认导入"  # the library's own, where it is right


def test_make_messages_leaves_the_overrides_alone():
    """``make messages`` extracts our strings into the English catalog only
    (``-l en``; a ``makemessages`` for zh_Hans would fill it with our Chinese
    source strings and drop the library's msgids) and compiles both."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = makefile.split("\nmessages:", 1)[1].split("\n\n", 1)[0]
    extract = [line for line in recipe.splitlines() if "makemessages" in line]
    assert extract and all(" -l en " in line and "zh_Hans" not in line for line in extract)
    assert any("compilemessages" in line and "-l zh_Hans" in line for line in recipe.splitlines())


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
