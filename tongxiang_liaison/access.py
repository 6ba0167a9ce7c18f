"""Who may use the project layer's own pages: the enterprises' service cards
(:mod:`tongxiang_liaison.card_views`), built from the scope of
:mod:`cadres.permissions`."""

from cadres import permissions


def can_print_cards(user):
    """The service cards (an enterprise's card, a sheet of cards for a unit's
    pairings or for enterprises chosen in the admin): liaison staff, who hand
    them out. The cards carry the cadres' mobiles, so no one else prints them."""
    return permissions.is_liaison_staff(user)
