"""factory_boy factories: test data made in the test that needs it."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cadres.demo import demo_credit_code
from cadres.models import AreaAssignment, Cadre, Pairing, ServiceItem, Unit
from cadres.permissions import GROUP_NAMES, Role
from cadres.term import term_end
from enterprises.models import Enterprise, Place

_mobiles = itertools.count(13800000000)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("name",)

    name = factory.Iterator(["濮院镇", "乌镇镇", "崇福镇", "梧桐街道", "洲泉镇", "屠甸镇"])
    kind = Place.Kind.TOWN


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"桐乡市测试{n}纺织有限公司")
    credit_code = factory.Sequence(lambda n: demo_credit_code(10_000_000 + n))
    place = factory.SubFactory(PlaceFactory)
    industry = "纺织"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"市测试局{n}")
    kind = Unit.Kind.DEPARTMENT


class TownUnitFactory(UnitFactory):
    kind = Unit.Kind.TOWN
    place = factory.SubFactory(PlaceFactory)
    name = factory.LazyAttribute(lambda o: f"{o.place.name}人民政府")


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    unit = factory.SubFactory(UnitFactory)
    rank = Cadre.Rank.MIDDLE
    mobile = factory.LazyFunction(lambda: str(next(_mobiles)))


class CityLeaderFactory(CadreFactory):
    rank = Cadre.Rank.CITY_LEADER
    unit = factory.SubFactory(UnitFactory, name="市政府", kind=Unit.Kind.LEADERSHIP)


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    cadre = factory.SubFactory(CadreFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = Pairing.Kind.DEPARTMENT
    start_date = datetime.date(2026, 3, 27)
    end_date = factory.LazyAttribute(lambda o: term_end(o.start_date))


class AreaAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaAssignment

    cadre = factory.SubFactory(CityLeaderFactory)
    place = factory.SubFactory(PlaceFactory)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"服务事项{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")


def user_with_role(role, *, cadre=None, staff=None, username=None):
    """A login in the role's group, linked to ``cadre`` when given."""
    from cadres.permissions import ADMIN_ROLES

    user = UserFactory(username=username) if username else UserFactory()
    user.is_staff = role in ADMIN_ROLES if staff is None else staff
    user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(role)]))
    if cadre is not None:
        cadre.user = user
        cadre.save(update_fields=["user"])
    return user
