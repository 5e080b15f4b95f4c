"""Demo templates for `seeddemo`, idempotent (by title): reply templates (答复模板), the common answers units
start from, and the hotline's recording templates (受理模板), how agents write down common calls. What changes
from case to case stands in 【】: picking a template selects the first blank."""

from feedback.models import ReplyTemplate
from hotline.core.models import Category
from intake.models import RecordTemplate

TEMPLATES = [
    (
        "占道经营已清理",
        "0101",
        "您好，您反映的占道经营问题，我单位已于今日安排城管队员到现场处置，摊位已清理，并纳入日常巡查。如再有发生，请再次致电12345。",
    ),
    (
        "路灯已修复",
        "0103",
        "您好，您反映的路灯不亮问题，我单位已联系路灯管理单位现场检修，路灯已恢复照明。感谢您的监督。",
    ),
    (
        "噪声已制止",
        "0105",
        "您好，您反映的噪声扰民问题，执法人员已到现场核查并责令停止违规作业，施工单位已承诺严格遵守作业时间。",
    ),
    (
        "暂时无法解决，已说明原因",
        "",
        "您好，您反映的问题我单位已现场核实。由于【原因】，暂时无法立即解决。我们将于【时间】前【措施】，届时再与您联系。",
    ),
    (
        "已电话沟通",
        "",
        "您好，我单位工作人员已于【时间】与您电话沟通，就您反映的问题说明了处理情况：【处理情况】。",
    ),
]


def reply_templates_seed() -> int:
    for title, code, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            title=title,
            defaults={"text": text, "category": Category.objects.filter(code=code).first() if code else None},
        )
    return ReplyTemplate.objects.count()


RECORDING = [
    (
        "占道经营",
        "010101",
        "市民来电反映：【地点】有商贩占道经营，【时段】较为集中，影响行人通行。市民诉求：请相关部门清理。",
    ),
    (
        "路灯不亮",
        "010301",
        "市民来电反映：【地点】有【数量】盏路灯不亮，已持续【时长】，夜间出行不便。市民诉求：请尽快维修。",
    ),
    (
        "夜间施工噪声",
        "0105",
        "市民来电反映：【地点】的工地在【时段】施工，噪声扰民，影响休息。市民诉求：请核查是否有夜间施工许可并制止。",
    ),
    (
        "供暖不热",
        "020101",
        "市民来电反映：【小区及楼号】家中暖气温度约【温度】度，已持续【时长】。市民诉求：请供热单位入户检查。",
    ),
    ("政策咨询（已答复）", "", "市民来电咨询【事项】。话务员已依据知识库【文章】答复，市民表示【是否清楚】。"),
]


def record_templates_seed() -> int:
    for title, code, text in RECORDING:
        RecordTemplate.objects.get_or_create(
            title=title,
            owner=None,
            defaults={"text": text, "category": Category.objects.filter(code=code).first() if code else None},
        )
    return RecordTemplate.objects.filter(owner=None).count()
