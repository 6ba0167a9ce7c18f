"""The names an office writes for a unit, mapped to the unit's own name: the
name itself, the name without a leading 桐乡市 / 桐乡 / 市 (经信局 and
桐乡市经信局 for 市经信局, 桐乡市乌镇镇人民政府 for 乌镇镇人民政府), and
whatever staff have entered as :class:`~cadres.models.UnitAlias` (with or
without the city in front). Read wherever a unit name comes from a
spreadsheet: the cadre import and Attachment 2."""

from .models import Unit, UnitAlias

CITY_PREFIXES = ("浙江省桐乡市", "桐乡市", "桐乡", "市")


def unit_core(name):
    """``桐乡市经信局`` → ``经信局``: the name without the city in front."""
    for prefix in CITY_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix) :]
    return name


def unit_aliases():
    """{a name as written: the unit's name}. A unit's own name always means
    that unit; then staff's table; then a core only one unit has (a core two
    units share is left out rather than guessed)."""
    names = list(Unit.objects.values_list("name", flat=True))
    by_core = {}
    for name in names:
        by_core.setdefault(unit_core(name), set()).add(name)
    found = {core: next(iter(units)) for core, units in by_core.items() if len(units) == 1}
    for alias, name in UnitAlias.objects.values_list("name", "unit__name"):
        found[unit_core(alias)] = name
        found[alias] = name
    found.update({name: name for name in names})
    return found


class UnitNames:
    """A lookup's aliases (:meth:`tabular.bulk_import.AllOrNothingResource.lookup_aliases`):
    ``get`` gives the unit's own name for any form of it, the text unchanged
    for a name nobody knows."""

    def __init__(self):
        self.aliases = unit_aliases()

    def get(self, key, default=None):
        if not isinstance(key, str):
            return key
        return self.aliases.get(key) or self.aliases.get(unit_core(key)) or key
