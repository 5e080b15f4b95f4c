import csv
from pathlib import Path

from hotline.core.choices import UnitLevel
from hotline.core.models import Unit
from hotline.core.services import units_load

SHARED = Path(__file__).resolve().parents[2] / "hotline" / "core" / "data"


def test_sixteen_districts_and_343_streets_with_their_codes(reference):
    assert Unit.objects.filter(level=UnitLevel.DISTRICT).count() == 16
    assert Unit.objects.filter(level=UnitLevel.STREET).count() == 343
    with open(SHARED / "beijing_divisions.csv", encoding="utf-8") as f:
        expected = {(r["code"], r["name"], r["parent_code"]) for r in csv.DictReader(f) if r["level"] == "street"}
    loaded = set(Unit.objects.filter(level=UnitLevel.STREET).values_list("code", "name", "parent__code"))
    assert loaded == expected
    dhm = Unit.objects.get(code="110101001")
    assert (dhm.name, dhm.parent.name, dhm.district.code) == ("东华门街道", "东城区", "110101")
    assert dhm.path == "/12345/110101/110101001/"


def test_city_departments_enterprises_and_district_populations(reference):
    departments = set(Unit.objects.filter(level=UnitLevel.DEPARTMENT).values_list("name", flat=True))
    assert {"市城市管理委", "市住房城乡建设委", "市交通委", "市公安局(非紧急事项)"} <= departments
    assert len(departments) >= 30
    enterprises = set(Unit.objects.filter(level=UnitLevel.ENTERPRISE).values_list("name", flat=True))
    assert {"北京市自来水集团", "国网北京市电力公司", "北京燃气集团", "北京热力集团"} <= enterprises
    assert sum(Unit.objects.filter(level=UnitLevel.DISTRICT).values_list("population", flat=True)) == 21_893_095
    assert Unit.objects.get(code="110105").population == 3_452_460
    # Every district has its departments (区级部门) for the dispatch catalogue.
    assert Unit.objects.filter(level=UnitLevel.DISTRICT_DEPARTMENT, parent__code="110105").count() == 10


def test_reloading_the_tree_changes_nothing(reference):
    before = Unit.objects.count()
    counts = units_load()
    assert Unit.objects.count() == before
    assert counts[UnitLevel.STREET] == 343


def test_a_renamed_unit_keeps_its_subtree_path(reference):
    district = Unit.objects.get(code="110105")
    district.name = "朝阳区（测试）"
    district.save()
    assert Unit.objects.get(code="110105001").path.startswith(district.path)
