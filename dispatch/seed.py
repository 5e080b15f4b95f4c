"""The default dispatch catalogue (派单目录) and time-limit policies (限时), loaded by `bootstrap` and
`seeddemo` (through hotline.core.setup, registered in DispatchConfig.ready).
Idempotent: an existing catalogue version 1 or existing policies are left as the admins edited them."""

from __future__ import annotations

from django.db import transaction

from hotline.core.choices import UnitLevel
from hotline.core.models import Category, Unit
from hotline.core.reference import reference_changed

from .choices import Complexity, LimitUnit, Role, TargetKind
from .models import CatalogueRule, CatalogueVersion, LeaderSignPolicy, TimeLimitPolicy

# category code → [(target kind, unit code or department suffix, part)]
DEFAULT_RULES: dict[str, list[tuple[str, str, str]]] = {
    "01": [(TargetKind.STREET, "", Role.MAIN)],  # 城市管理 → the street
    "0102": [(TargetKind.STREET, "", Role.MAIN), (TargetKind.DISTRICT_DEPARTMENT, "D08", Role.ASSIST)],  # 违法建设
    "0201": [(TargetKind.STREET, "", Role.MAIN)],  # 物业管理
    "020101": [(TargetKind.STREET, "", Role.MAIN), (TargetKind.UNIT, "E04", Role.ASSIST)],  # 供暖不热
    "0202": [(TargetKind.STREET, "", Role.MAIN)],
    "0203": [(TargetKind.DISTRICT_DEPARTMENT, "D02", Role.MAIN)],  # 房屋租赁 → 区住房城乡建设委
    "0204": [(TargetKind.DISTRICT_DEPARTMENT, "D02", Role.MAIN)],
    "0301": [(TargetKind.UNIT, "E05", Role.MAIN)],  # 公交 → 北京公交集团
    "0302": [(TargetKind.UNIT, "E06", Role.MAIN)],  # 地铁
    "0303": [(TargetKind.UNIT, "D03", Role.MAIN)],  # 出租车与网约车 → 市交通委
    "0304": [(TargetKind.DISTRICT_DEPARTMENT, "D09", Role.MAIN)],  # 道路交通 → 区交通支队
    "04": [(TargetKind.DISTRICT_DEPARTMENT, "D04", Role.MAIN)],  # 环境保护 → 区生态环境局
    "0403": [(TargetKind.STREET, "", Role.MAIN)],  # 垃圾分类
    "05": [(TargetKind.DISTRICT_DEPARTMENT, "D03", Role.MAIN)],  # 市场监管 → 区市场监管局
    "06": [(TargetKind.DISTRICT_DEPARTMENT, "D05", Role.MAIN)],  # 社会保障 → 区人力社保局
    "0603": [(TargetKind.STREET, "", Role.MAIN)],  # 社会救助
    "07": [(TargetKind.DISTRICT_DEPARTMENT, "D06", Role.MAIN)],  # 医疗卫生
    "08": [(TargetKind.DISTRICT_DEPARTMENT, "D07", Role.MAIN)],  # 教育
    "0901": [(TargetKind.UNIT, "E01", Role.MAIN)],  # 供水 → 自来水集团
    "0902": [(TargetKind.UNIT, "E02", Role.MAIN)],  # 供电 → 国网北京电力
    "0903": [(TargetKind.UNIT, "E03", Role.MAIN)],  # 燃气 → 北京燃气
    "0904": [(TargetKind.UNIT, "E04", Role.MAIN)],  # 供暖 → 北京热力
    # 0905 通信: three operators, no single owner → the dispatcher decides.
    "10": [(TargetKind.STREET, "", Role.MAIN)],  # 农业农村
    "1101": [(TargetKind.STREET, "", Role.MAIN)],  # 消防安全
    "1102": [(TargetKind.UNIT, "D12", Role.MAIN)],  # 治安秩序 → 市公安局(非紧急)
    "120103": [(TargetKind.UNIT, "D18", Role.MAIN)],  # 公积金提取 → 市住房公积金管理中心
    # other 政务服务 matters: no rule → the dispatcher decides.
}

# (name, demand type, urgency, complexity, several units, amount, unit, dispatch hours, channel). Why each
# counts working or natural time: docs/time-limits.md.
DEFAULT_POLICIES = [
    ("一般诉求 7个工作日", "", "", "", None, 7, LimitUnit.WORKING_DAYS, 24, ""),
    ("简单咨询(单一单位) 3个工作日", "consult", "", "", False, 3, LimitUnit.WORKING_DAYS, 24, ""),
    ("咨询(多单位) 7个工作日", "consult", "", "", True, 7, LimitUnit.WORKING_DAYS, 24, ""),
    ("复杂诉求 15个工作日", "", "", Complexity.COMPLEX, None, 15, LimitUnit.WORKING_DAYS, 24, ""),
    ("紧急诉求 派单1小时 办理24小时", "", "urgent", "", None, 24, LimitUnit.HOURS, 1, ""),
    ("水电气热/极端天气 派单2小时", "", "utility", "", None, 7, LimitUnit.WORKING_DAYS, 2, ""),
    # 企业服务专席: by the enterprise's matter type (a policy question is answered on the call: 即时).
    ("企业咨询 3个工作日", "consult", "", "", None, 3, LimitUnit.WORKING_DAYS, 24, "enterprise"),
    ("企业求助 3个工作日", "help", "", "", None, 3, LimitUnit.WORKING_DAYS, 24, "enterprise"),
    ("企业诉求 7个工作日", "", "", "", None, 7, LimitUnit.WORKING_DAYS, 24, "enterprise"),
    ("企业复杂诉求 15个工作日", "", "", Complexity.COMPLEX, None, 15, LimitUnit.WORKING_DAYS, 24, "enterprise"),
]


@transaction.atomic
def catalogue_seed() -> CatalogueVersion:
    version, created = CatalogueVersion.objects.get_or_create(
        number=1,
        defaults={"name": "默认派单目录", "is_active": not CatalogueVersion.objects.filter(is_active=True).exists()},
    )
    if not created:
        return version
    categories = {c.code: c for c in Category.objects.filter(code__in=DEFAULT_RULES)}
    units = {
        u.code: u for u in Unit.objects.filter(code__in=[t for rules in DEFAULT_RULES.values() for _k, t, _r in rules])
    }
    rules = []
    for code, targets in DEFAULT_RULES.items():
        for kind, target, part in targets:
            rules.append(
                CatalogueRule(
                    version=version,
                    category=categories[code],
                    target_kind=kind,
                    unit=units.get(target) if kind == TargetKind.UNIT else None,
                    department_suffix=target if kind == TargetKind.DISTRICT_DEPARTMENT else "",
                    role=part,
                )
            )
    CatalogueRule.objects.bulk_create(rules)
    reference_changed()  # bulk_create sends no signals
    return version


@transaction.atomic
def policies_seed() -> int:
    if TimeLimitPolicy.objects.exists():
        return 0
    TimeLimitPolicy.objects.bulk_create(
        [
            TimeLimitPolicy(
                name=name,
                demand_type=demand_type,
                urgency=urgency,
                complexity=complexity,
                multi_unit=multi,
                handling_amount=amount,
                handling_unit=unit,
                dispatch_hours=hours,
                channel=channel,
            )
            for name, demand_type, urgency, complexity, multi, amount, unit, hours, channel in DEFAULT_POLICIES
        ]
    )
    reference_changed()  # bulk_create sends no signals
    return len(DEFAULT_POLICIES)


def leader_sign_seed() -> None:
    """亲自签办 for streets and townships, ready but off: the issue says direct-dispatched orders *can* require
    the street leader's signature; a city turns it on in the admin (an existing setting is never changed)."""
    LeaderSignPolicy.objects.get_or_create(level=UnitLevel.STREET, defaults={"is_active": False})


def reference_seed() -> str:
    """The setup step of hotline.core.setup: the default catalogue and policies, the report's line."""
    catalogue = catalogue_seed()
    policies_seed()
    leader_sign_seed()
    return f"dispatch catalogue v{catalogue.number} ({catalogue.rules.count()} rules)"
