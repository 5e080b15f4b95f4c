"""Address → street (地址解析): full addresses, district-less ones, landmarks, and ambiguity that the
agent resolves by choosing."""

import pytest

from hotline.core.models import Unit
from intake.geo import resolve
from intake.models import Place

WANGJING = "110105026"  # 望京街道, 朝阳区


@pytest.fixture
def wangjing_soho(reference):
    place, _ = Place.objects.update_or_create(
        name="望京SOHO", defaults={"kind": "landmark", "street": Unit.objects.get(code=WANGJING), "aliases": "soho望京"}
    )
    return place


def test_full_address_resolves_to_street_and_district(reference):
    result = resolve("北京市朝阳区望京街道阜通东大街6号院3号楼")
    assert result.street.code == WANGJING
    assert result.district.name == "朝阳区"
    assert "望京街道" in result.matched


def test_district_less_short_street_name_resolves(reference):
    result = resolve("望京阜通东大街6号")
    assert result.street.code == WANGJING
    assert result.district.code == "110105"


def test_district_without_suffix_at_the_start(reference):
    assert resolve("朝阳望京阜通东大街").street.code == WANGJING
    # ... but a community of that name lies in 东湖街道, and the gazetteer knows it.
    assert resolve("朝阳望京花园东区").street.name == "东湖街道"


def test_landmark_from_the_gazetteer_and_its_alias(wangjing_soho):
    assert resolve("望京SOHO T2 楼下").street.code == WANGJING
    # Full-width letters and other case are normalised.
    assert resolve("ｓｏｈｏ望京 门口").street.code == WANGJING


def test_longest_name_wins_so_a_street_inside_another_name_does_not_misfire(reference):
    # 朝阳门 (a street of 东城区) must not be read as the district 朝阳.
    result = resolve("朝阳门内大街")
    assert result.street.name == "朝阳门街道"
    assert result.district.name == "东城区"


def test_a_name_shared_by_two_districts_is_ambiguous_until_the_district_is_given(reference):
    result = resolve("八里庄北里12号楼")
    assert result.street is None
    assert result.is_ambiguous
    assert {u.parent.name for u in result.candidates} == {"朝阳区", "海淀区"}
    chosen = resolve("海淀区八里庄北里12号楼")
    assert chosen.street.parent.name == "海淀区"
    assert chosen.street.name.startswith("八里庄")


def test_district_only_keeps_the_district_without_a_street(reference):
    result = resolve("丰台区某小区门口")
    assert result.street is None
    assert result.district.name == "丰台区"


def test_unknown_address_resolves_to_nothing(reference):
    result = resolve("火星基地一号")
    assert result.street is None and result.district is None and not result.candidates


def test_admin_added_place_is_used_at_once(reference):
    assert resolve("星光小区5号楼").street is None
    Place.objects.create(name="星光小区", kind="community", street=Unit.objects.get(code="110101001"))
    assert resolve("星光小区5号楼").street.code == "110101001"


def test_shipped_gazetteer_knows_well_known_places(reference):
    assert Place.objects.count() >= 300
    assert resolve("天安门广场").district.name in {"东城区", "西城区"}


def test_accuracy_on_the_labelled_set_stays_high_and_wrong_streets_rare(reference):
    """The figures of docs/address-resolution.md: a regression sends demands to the wrong unit."""
    from intake.geo_eval import RIGHT, WRONG, evaluate

    result = evaluate()
    assert result.rows >= 200
    assert result.share(RIGHT) >= 0.90
    assert result.share(WRONG) <= 0.02
