"""A few published articles for the demo, so an agent can answer a consultation on the call. The
full sample corpus (generateknowledge) comes with the knowledge-base issue."""

from hotline.core.models import Category

from .models import Article, ArticleStatus

SAMPLE_ARTICLES = [
    ("060101", "灵活就业人员如何缴纳社保", "灵活就业社保怎么交\n个人怎么交社保",
     "北京户籍灵活就业人员可在户籍所在街道（乡镇）社保所办理就业登记和参保，也可通过北京市社会保险网上服务平台"
     "或“北京人社”App 办理。缴费基数在本市上年度职工月平均工资的 60%–300% 之间自选。"),
    ("060102", "养老金领取资格认证办理方式", "养老金认证怎么做\n退休金资格认证",
     "本市养老金领取人员每年需进行一次资格认证，可通过“北京人社”App 人脸识别自助认证，或到社区（村）服务站"
     "现场认证。未按时认证的，暂停发放，认证后补发。"),
    ("060103", "门诊医保报销比例", "门诊报销多少\n医保门诊起付线",
     "在职职工门诊起付线为 1800 元，一级及以下医疗机构报销 90%，其他医疗机构报销 70%；退休人员起付线 1300 元，"
     "报销比例更高。具体以北京市医疗保障局公布的标准为准。"),
    ("120103", "住房公积金提取条件与办理渠道", "公积金怎么提取\n租房提取公积金",
     "购房、租房、退休、出境定居等情形可提取住房公积金。租房提取可通过北京住房公积金网上业务系统或手机公积金"
     "App 办理，无需提交材料，每季度可提取一次。"),
    ("120102", "新生儿户口登记办理", "孩子出生怎么上户口\n新生儿落户",
     "新生儿出生后一个月内，由监护人持出生医学证明、父母双方户口簿和身份证到户籍所在地派出所办理出生登记，"
     "也可通过“北京一网通办”预约办理。"),
    ("020101", "供暖期室温标准及报修渠道", "暖气不热怎么办\n供暖温度标准",
     "本市供暖期为每年 11 月 15 日至次年 3 月 15 日，居民室内温度不应低于 18℃。室温不达标的，可先联系物业或"
     "供热单位报修；24 小时内未解决的，可再次拨打 12345 反映。"),
]


def articles_seed() -> int:
    categories = {c.code: c for c in Category.objects.filter(code__in=[a[0] for a in SAMPLE_ARTICLES])}
    for code, title, questions, body in SAMPLE_ARTICLES:
        Article.objects.update_or_create(
            title=title,
            defaults={"questions": questions, "body": body, "category": categories.get(code),
                      "status": ArticleStatus.PUBLISHED},
        )
    return len(SAMPLE_ARTICLES)
