"""factory_boy factories for the institution's models."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from school import roles
from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User

TEST_PASSWORD = "Correct-Horse-42"


class OrgUnitFactory(DjangoModelFactory):
    """Builds a unit in the tree: a root district unless `parent` is given."""

    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    kind = OrgUnit.Kind.DISTRICT

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        return parent.add_child(**kwargs)


def community_with_grid() -> tuple[OrgUnit, OrgUnit]:
    district = OrgUnitFactory(name="测试区", kind=OrgUnit.Kind.DISTRICT)
    street = OrgUnitFactory(parent=district, name="测试街道", kind=OrgUnit.Kind.STREET)
    community = OrgUnitFactory(
        parent=street, name="桃园社区", kind=OrgUnit.Kind.COMMUNITY
    )
    grid = OrgUnitFactory(parent=community, name="第1网格", kind=OrgUnit.Kind.GRID)
    community.refresh_from_db()
    return community, grid


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    real_name = factory.Sequence(lambda n: f"学员{n}")
    level = Level.RESIDENT
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            self.groups.add(Group.objects.get(name=extracted))


class PracticeSiteFactory(DjangoModelFactory):
    class Meta:
        model = PracticeSite

    name = factory.Sequence(lambda n: f"实践教学点{n}")
    address = "测试路 1 号"
    capacity = 30


class SchoolPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SchoolPage

    title = "网格学校"
    kind = SchoolPage.Kind.GRID_SCHOOL
    display_name = "测试区网格学校"
    certificate_prefix = factory.Sequence(
        lambda n: f"T{chr(65 + n % 26)}{chr(65 + n // 26 % 26)}"
    )


__all__ = [
    "TEST_PASSWORD",
    "OrgUnitFactory",
    "PracticeSiteFactory",
    "SchoolPageFactory",
    "UserFactory",
    "community_with_grid",
    "roles",
]
