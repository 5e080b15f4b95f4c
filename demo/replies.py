"""Demo reply templates (答复模板) for `seeddemo`: a few common answers, for a matter's branch or any. Idempotent
(by title)."""

from feedback.models import ReplyTemplate
from hotline.core.models import Category

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
        "您好，您反映的问题我单位已现场核实。由于（请填写原因），暂时无法立即解决。我们将于（请填写时间）前（请填写措施），届时再与您联系。",
    ),
    (
        "已电话沟通",
        "",
        "您好，我单位工作人员已于（请填写时间）与您电话沟通，就您反映的问题说明了处理情况：（请填写）。",
    ),
]


def reply_templates_seed() -> int:
    for title, code, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            title=title,
            defaults={"text": text, "category": Category.objects.filter(code=code).first() if code else None},
        )
    return ReplyTemplate.objects.count()
