"""docs/RULES.md defines every rule id the code and the tests cite, and the
modules, functions and test files it points to exist."""

import importlib
import re
from pathlib import Path

from django.conf import settings

from tests.project import PACKAGES

BASE = Path(settings.BASE_DIR)
RULES = BASE / "docs" / "RULES.md"
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])R(\d{1,2})(?![0-9])")
APPS = PACKAGES
SOURCES = (*APPS, "tests", "bench")


def defined():
    return {int(n) for n in re.findall(r"^### R(\d+) — \S", RULES.read_text(encoding="utf-8"), re.MULTILINE)}


def cited():
    """rule number → the files citing it, over every module and template of
    the project and its tests (migrations included: they are code too)."""
    found = {}
    for top in SOURCES:
        for path in sorted((BASE / top).rglob("*")):
            if path.suffix not in {".py", ".html"} or ".venv" in path.parts:
                continue
            for number in RULE_ID.findall(path.read_text(encoding="utf-8")):
                found.setdefault(int(number), set()).add(str(path.relative_to(BASE)))
    return found


def test_every_rule_cited_in_code_and_tests_is_defined_in_the_rules_page():
    rules = cited()
    assert len(rules) >= 20  # the scan found the citations
    assert {n: sorted(files)[:3] for n, files in rules.items() if n not in defined()} == {}


def test_the_rules_page_defines_r1_to_r20_once_each():
    headings = re.findall(r"^### R(\d+) — ", RULES.read_text(encoding="utf-8"), re.MULTILINE)
    assert [int(n) for n in headings] == list(range(1, 21))


def test_what_the_rules_page_points_to_exists():
    text = RULES.read_text(encoding="utf-8")
    missing = []
    dotted = re.compile(r"`((?:" + "|".join(APPS) + r")(?:\.[A-Za-z_]\w*)+)`")
    for name in set(dotted.findall(text)):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):  # the longest importable module, then attributes
            try:
                target = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attribute in parts[cut:]:
                    target = getattr(target, attribute)
            except AttributeError:
                missing.append(name)
            break
        else:
            missing.append(name)
    for path in set(re.findall(r"`(tests/[\w/]+\.py)`", text)):
        if not (BASE / path).exists():
            missing.append(path)
    assert sorted(missing) == []


def test_the_readme_links_the_rules_page():
    assert "(docs/RULES.md)" in (BASE / "README.md").read_text(encoding="utf-8")
