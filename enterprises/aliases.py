"""The names an office writes for a place, mapped to the place's own name:
the name itself with a leading 桐乡市 or 桐乡 (桐乡市乌镇镇), the name without
its 镇 / 街道 suffix (乌镇, 凤鸣), 开发区 / 经开区 for the economic development
zone, and whatever staff have entered as :class:`PlaceAlias`."""

from .models import Place, PlaceAlias

CITY_PREFIXES = ("浙江省桐乡市", "嘉兴市桐乡市", "桐乡市", "桐乡")
SUFFIXES = ("街道办事处", "街道", "镇")


def strip_city(name):
    for prefix in CITY_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def derived_names(place_name, kind):
    names = {place_name}
    for suffix in SUFFIXES:
        if place_name.endswith(suffix) and len(place_name) > len(suffix) + 1:
            names.add(place_name[: -len(suffix)])
    if kind == Place.Kind.DEVELOPMENT_ZONE:
        names.update({"开发区", "经开区", "经济开发区", place_name.removeprefix("桐乡")})
    if kind == Place.Kind.NEW_AREA:
        names.add(place_name.removeprefix("桐乡"))
    return names


def place_aliases():
    """{a name as written: the place's name}, for every known form; a form two
    places share (none today) is left out rather than guessed."""
    found, clashes = {}, set()
    for name, kind in Place.objects.values_list("name", "kind"):
        for alias in derived_names(name, kind):
            if alias in found and found[alias] != name:
                clashes.add(alias)
            found.setdefault(alias, name)
    for alias, name in PlaceAlias.objects.values_list("name", "place__name"):
        found[alias] = name  # staff's table wins
        clashes.discard(alias)
    aliases = {a: n for a, n in found.items() if a not in clashes}
    # The same with the city written in front.
    for alias, name in list(aliases.items()):
        for prefix in CITY_PREFIXES:
            aliases.setdefault(prefix + alias, name)
    return aliases


def canonical_place(text, aliases):
    if text is None:
        return None
    return aliases.get(text) or aliases.get(strip_city(text)) or text
