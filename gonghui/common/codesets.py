"""National code sets met in member data (reference part B.4–B.8), with the short forms people write.

`lookup(codeset, raw)` is the one entry point: it accepts the standard code (with or without its
leading zero, as text or as an Excel number), the standard name, or a common short form, and
returns `(code, name)` with the standard name."""

import re
import unicodedata
from dataclasses import dataclass, field

from .errors import DomainError


@dataclass(frozen=True)
class Codeset:
    label: str  # the Chinese field name used in messages
    field: str
    entries: dict[str, str]  # code → standard name, in display order
    aliases: dict[str, str] = field(default_factory=dict)  # other spelling → code
    examples: tuple[str, ...] = ()  # shown when a value is not recognised

    def choices(self) -> list[tuple[str, str]]:
        return list(self.entries.items())


_ETHNIC_NAMES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
assert len(_ETHNIC_NAMES) == 56

# 民族 GB/T 3304-1991: 01–56, plus 97 其他 and 98 外国血统中国籍人士 (no invented 99/57/58).
ETHNICITY = Codeset(
    label="民族",
    field="ethnicity",
    entries={f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, 1)} | {"97": "其他", "98": "外国血统中国籍人士"},
    aliases={name.removesuffix("族"): f"{i:02d}" for i, name in enumerate(_ETHNIC_NAMES, 1)} | {
        "毛难族": "36", "毛难": "36",  # pre-rename names still in old systems
        "崩龙族": "46", "崩龙": "46",
        "其它": "97", "其他民族": "97", "未识别民族": "97",
        "穿青人": "97",  # 未识别民族: no code of its own in GB/T 3304, so 97 其他
        "外国血统": "98", "外国血统中国籍": "98", "入籍": "98",
    },
    examples=("01", "汉族", "汉", "回族"),
)

# 学历 GB/T 4658-2006. The x0 codes are the category headers; the level short forms (本科, 大专…)
# map to them because they say the level, not whether the course was completed.
EDUCATION = Codeset(
    label="学历",
    field="education",
    entries={
        "10": "研究生教育", "11": "博士研究生毕业", "12": "博士研究生结业", "13": "博士研究生肄业",
        "14": "硕士研究生毕业", "15": "硕士研究生结业", "16": "硕士研究生肄业",
        "17": "研究生班毕业", "18": "研究生班结业", "19": "研究生班肄业",
        "20": "大学本科教育", "21": "大学本科毕业", "22": "大学本科结业", "23": "大学本科肄业", "28": "大学普通班毕业",
        "30": "大学专科教育", "31": "大学专科毕业", "32": "大学专科结业", "33": "大学专科肄业",
        "40": "中等职业教育", "41": "中等专科毕业", "42": "中等专科结业", "43": "中等专科肄业",
        "44": "职业高中毕业", "45": "职业高中结业", "46": "职业高中肄业",
        "47": "技工学校毕业", "48": "技工学校结业", "49": "技工学校肄业",
        "60": "普通高级中学教育", "61": "普通高中毕业", "62": "普通高中结业", "63": "普通高中肄业",
        "70": "初级中学教育", "71": "初中毕业", "73": "初中肄业",
        "80": "小学教育", "81": "小学毕业", "83": "小学肄业",
        "90": "其他",
    },
    aliases={
        "博士": "11", "博士研究生": "11", "硕士": "14", "硕士研究生": "14",
        "研究生": "10", "研究生及以上": "10",
        "本科": "20", "大学本科": "20", "大本": "20",
        "大专": "30", "专科": "30", "大学专科": "30",
        "中专": "40", "中职": "40", "中专/中职": "40", "职高": "40", "技校": "40", "中等专科": "40",
        "高中": "60", "普通高中": "60", "高中/中专": "60",
        "初中": "70", "初中及以下": "70",  # the simplified lists' lowest level; 70 is the nearest code
        "小学": "80", "其它": "90",
    },
    examples=("21", "大学本科毕业", "本科", "大专", "高中"),
)

# 政治面貌 GB/T 4762-1984.
POLITICAL_STATUS = Codeset(
    label="政治面貌",
    field="political_status",
    entries={
        "01": "中国共产党党员", "02": "中国共产党预备党员", "03": "中国共产主义青年团团员",
        "04": "中国国民党革命委员会会员", "05": "中国民主同盟盟员", "06": "中国民主建国会会员",
        "07": "中国民主促进会会员", "08": "中国农工民主党党员", "09": "中国致公党党员", "10": "九三学社社员",
        "11": "台湾民主自治同盟盟员", "12": "无党派民主人士", "13": "群众",
    },
    aliases={
        "党员": "01", "中共党员": "01", "共产党员": "01", "中国共产党党员(保留团籍)": "01",
        "预备党员": "02", "中共预备党员": "02",
        "团员": "03", "共青团员": "03",
        "民革": "04", "民革会员": "04", "民盟": "05", "民盟盟员": "05", "民建": "06", "民建会员": "06",
        "民进": "07", "民进会员": "07", "农工党": "08", "农工党党员": "08", "致公党": "09", "致公党党员": "09",
        "九三学社": "10", "台盟": "11", "台盟盟员": "11",
        "无党派": "12", "无党派人士": "12", "民主人士": "12",
    },
    examples=("01", "中国共产党党员", "党员", "团员", "群众"),
)

# 户籍类型 (B.8): the union form's four values; the public-security 户口类别 names map onto them.
HOUSEHOLD_TYPE = Codeset(
    label="户籍类型",
    field="household_type",
    entries={"agricultural": "农业", "non_agricultural": "非农业", "resident": "居民", "other": "其他"},
    aliases={
        "农业户口": "agricultural", "农业家庭户口": "agricultural", "农业集体户口": "agricultural",
        "农村": "agricultural", "农村户口": "agricultural", "农户": "agricultural",
        "非农业户口": "non_agricultural", "非农业家庭户口": "non_agricultural",
        "非农业集体户口": "non_agricultural", "非农": "non_agricultural", "城镇": "non_agricultural",
        "城镇户口": "non_agricultural",
        "居民户口": "resident", "居民家庭户口": "resident", "居民集体户口": "resident", "城乡居民": "resident",
        "其它": "other", "自理口粮户口": "other", "寄住户口": "other", "暂住户口": "other",
        "未落常住户口": "other",
    },
    examples=("农业", "非农业", "居民", "其他"),
)

# 八大群体 (ACFTU, from 2018), widened to 新就业形态劳动者.
WORKER_GROUP = Codeset(
    label="八大群体",
    field="worker_group",
    entries={
        "truck_driver": "货车司机", "courier": "快递员", "care_worker": "护工护理员",
        "domestic_worker": "家政服务员", "mall_info_staff": "商场信息员", "food_delivery": "网约送餐员",
        "estate_agent": "房产中介员", "security_guard": "保安员",
        "ride_hailing_driver": "网约车司机", "designated_driver": "代驾司机",
        "other_new_employment": "其他新就业形态劳动者",
    },
    aliases={
        "货车": "truck_driver", "卡车司机": "truck_driver", "货运司机": "truck_driver",
        "快递": "courier", "快递小哥": "courier", "快递员工": "courier",
        "护工": "care_worker", "护理员": "care_worker",
        "家政": "domestic_worker", "家政员": "domestic_worker", "保姆": "domestic_worker", "月嫂": "domestic_worker",
        "商场信息": "mall_info_staff",
        "外卖员": "food_delivery", "外卖骑手": "food_delivery", "骑手": "food_delivery", "送餐员": "food_delivery",
        "网约配送员": "food_delivery",
        "房产中介": "estate_agent", "房地产经纪人": "estate_agent", "中介员": "estate_agent",
        "保安": "security_guard",
        "网约车": "ride_hailing_driver", "网约车驾驶员": "ride_hailing_driver",
        "代驾": "designated_driver",
        "新就业形态劳动者": "other_new_employment", "其他新就业形态": "other_new_employment",
    },
    examples=("货车司机", "快递员", "网约送餐员", "保安员"),
)

# The eight groups proper, and the wider 新就业形态劳动者 (platform and gig work: the groups that
# work through a platform or without a fixed employer, plus ride-hailing and designated drivers).
EIGHT_GROUPS = frozenset(list(WORKER_GROUP.entries)[:8])
NEW_EMPLOYMENT = frozenset({
    "truck_driver", "courier", "food_delivery", "ride_hailing_driver", "designated_driver", "other_new_employment",
})

# 性别 GB/T 2261.1 (only the two values a member record holds).
GENDER = Codeset(
    label="性别",
    field="gender",
    entries={"1": "男", "2": "女"},
    aliases={"男性": "1", "女性": "2"},
    examples=("男", "女", "1", "2"),
)

_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _index(codeset: Codeset) -> dict[str, str]:
    index = {_key(name): code for code, name in codeset.entries.items()}
    index |= {_key(alias): code for alias, code in codeset.aliases.items()}
    return index | {code: code for code in codeset.entries}


# Per codeset (by id; the codeset itself is kept so that its id is never reused): the index above, and
# the results of lookups of text seen before. An import looks the same few spellings up ("汉", "群众",
# "农业") a million times; the cache skips normalising and probing them again. Only exact `str`
# values are remembered (as dict keys, True == 1 == 1.0 would collide), and only the first
# SEEN_MAX of them, so a column of ever-different text cannot grow it without bound.
SEEN_MAX = 4096
_PREPARED: dict[int, tuple[Codeset, dict[str, str], dict[str, tuple[str, str]]]] = {}


def lookup(codeset: Codeset, raw) -> tuple[str, str]:
    """(code, standard name) for a code, name or short form; a DomainError naming the field otherwise."""
    prepared = _PREPARED.get(id(codeset))
    if prepared is None:
        prepared = _PREPARED[id(codeset)] = (codeset, _index(codeset), {})
    _, index, seen = prepared
    exact_text = type(raw) is str
    if exact_text:
        found = seen.get(raw)
        if found is not None:
            return found
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an Excel numeric cell holding a code
    text = _key("" if raw is None or isinstance(raw, bool) else str(raw))
    if not text:
        raise DomainError(f"请填写{codeset.label}，如：{'、'.join(codeset.examples)}。", field=codeset.field)
    code = index.get(text)
    if code is None and text.isdigit():
        width = max(len(c) for c in codeset.entries)
        code = index.get(text.zfill(width))
    if code is None:
        raise DomainError(f"{codeset.label}“{text}”无法识别，请填写标准代码或名称，如：{'、'.join(codeset.examples)}。",
                          field=codeset.field)
    found = code, codeset.entries[code]
    if exact_text and len(seen) < SEEN_MAX:
        seen[raw] = found
    return found
