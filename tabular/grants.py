"""For the data migrations of the apps below ``cadres``, which holds the
role groups and their rights (``cadres.permissions.ROLE_PERMISSIONS``): a new
table's rights granted to the groups that exist already. On a fresh database
the groups do not exist yet, and ``cadres``' own role-group migration grants
the same from ``ROLE_PERMISSIONS``."""


def grant_to_groups(apps, app_label, grants):
    """``grants``: ``{group name: {model name: (action, …)}}``."""
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config(app_label)
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=grants):
        wanted = grants[group.name].items()
        codenames = [f"{action}_{model}" for model, actions in wanted for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
