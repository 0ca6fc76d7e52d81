"""The demo province as a plan: every organization and employer of a plausible 安徽 union tree,
generated from a seed without touching the database (actions.load_demo writes it).

Same seed and scale, same plan: one `random.Random(seed)` drives everything, and the only input
besides the seed is the list of GB/T 2260 divisions (common.Region or regions.read_csv()).
"""

import dataclasses
import datetime
import random
from collections.abc import Iterable

from gonghui.common import uscc
from gonghui.orgs.actions import derive_level
from gonghui.orgs.models import Org

PROVINCE_CODE = "340000"
ROOT_CODE = "34000000"
ROOT_NAME = "安徽省总工会"
# Dates are drawn up to a fixed day, not today, so that a seed gives the same data on any day.
DATA_END = datetime.date(2026, 10, 31)
GRASSROOTS_START = datetime.date(2000, 1, 1)

K = Org.Kind


@dataclasses.dataclass(frozen=True)
class Scale:
    cities: tuple[str, ...] | None  # division codes of the cities expanded down to grassroots; None: all
    district_towns: tuple[int, int]  # 街道 per urban district
    county_towns: tuple[int, int]  # 乡镇 per county or county-level city
    target: int  # organizations in all, roughly
    members: int  # members in all, roughly (demo/members.py shares them by head count)


SCALES = {
    "small": Scale(cities=("340100", "340200"), district_towns=(2, 3), county_towns=(2, 3), target=420,
                   members=5000),
    "city": Scale(cities=("340100",), district_towns=(8, 14), county_towns=(12, 20), target=7000,
                  members=550_000),
    "province": Scale(cities=None, district_towns=(6, 13), county_towns=(10, 20), target=84000,
                      members=6_500_000),
}


@dataclasses.dataclass
class OrgSpec:
    key: int  # index in Plan.orgs
    parent: int | None
    depth: int
    code: str
    name: str
    kind: str
    level: str
    region_code: str
    uscc: str
    founded_on: datetime.date
    chair_name: str
    phone: str
    employer_name: str = ""
    employer_uscc: str = ""
    employer_type: str = ""
    industry: str = ""
    employee_count: int | None = None
    has_congress: bool = False
    has_disclosure: bool = False
    status: str = Org.Status.ACTIVE
    merged_into: int | None = None
    closed_on: datetime.date | None = None


@dataclasses.dataclass
class EmployerSpec:
    name: str
    uscc: str
    employer_type: str
    industry: str
    employee_count: int
    region_code: str
    union: int | None  # key of the covering org; None: no union yet


@dataclasses.dataclass
class Plan:
    scale: str
    seed: int
    orgs: list[OrgSpec]
    employers: list[EmployerSpec]
    places: dict[str, int]  # where the demo accounts sit: province, city, county, town, grassroots

    def by_depth(self) -> list[list[OrgSpec]]:
        levels: list[list[OrgSpec]] = []
        for org in self.orgs:
            while len(levels) <= org.depth:
                levels.append([])
            levels[org.depth].append(org)
        return levels


# ---------------------------------------------------------------------------------------------
# Word lists

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏辉俊峰晨欣怡佳琪子涵"
    "雨婷思雪梅海燕林波宁亮新春立云飞德胜利忠民安庆荣永长鑫宏振学家瑞祥福金凤娇慧颖晓东"
)
# 字号 (trade names) for enterprises.
BRANDS = tuple("""
恒通 华信 金源 瑞丰 宏达 鑫盛 兴旺 永安 中科 天元 长江 徽商 皖新 科润 博雅 远航 明辉 嘉禾 益康 同创 卓越 华安
锦程 腾飞 鼎盛 九州 德润 聚力 新锐 顺达 宝隆 诚信 合众 万家 启明 东方 凯旋 安泰 星火 众邦 瑞达 海纳 百川 巢湖
江淮 黄山 天柱 淮河 皖江 新安 庐州 包公 逍遥 琥珀 紫蓬 大蜀 滨湖 天鹅 青阳 云谷 金鹰 银河 宇通 晨光 阳光
华宇 金马 祥和 福瑞 和信 润泽 恒信 华达 盛世 春晖 民生 新华 光大 久安 天成 德胜 鸿运 鼎新 国信 欣悦 绿源
""".split())
BRAND_TAILS = "达源盛通泰华信丰"
TOWN_HEADS = (
    "东西南北上下大小新高石金龙凤桃杨柳双三五白黄青长清永万太安宁和平兴福庙桥岗店山湖塘圩庄岭"
    "古马牛花梅竹松柏丰乐义仁孝枣杏蒋孙李陈罗朱郑胡汤许周程"
)
TOWN_TAILS = "河桥岗集店山湖塘圩庄岭坝城埠口港滩铺寨亭园阳溪林沟冲洼楼塔台墩湾"
STREET_TAILS = ("路", "桥", "门", "园", "湖", "山", "街", "河", "亭", "岗", "塘", "苑")
VILLAGE_TAILS = ("村", "社区")

PUBLIC = "公共管理、社会保障和社会组织"
# GB/T 4754 门类 → words that make an enterprise name plausible in that trade.
INDUSTRIES = {
    "制造业": ("机械制造", "电子科技", "新材料", "汽车零部件", "食品", "纺织", "家具", "化工", "塑胶制品",
            "电器", "精密仪器", "包装材料", "光伏科技", "服饰"),
    "建筑业": ("建设工程", "建筑安装", "路桥工程", "装饰工程", "市政工程"),
    "批发和零售业": ("商贸", "超市", "医药连锁", "农资", "五金机电", "百货"),
    "交通运输、仓储和邮政业": ("物流", "运输", "客运", "仓储", "供应链管理"),
    "住宿和餐饮业": ("餐饮管理", "酒店管理", "大酒店", "食府"),
    "信息传输、软件和信息技术服务业": ("软件", "信息技术", "网络科技", "数据科技", "智能科技"),
    "房地产业": ("房地产开发", "物业管理", "置业"),
    "租赁和商务服务业": ("人力资源", "企业管理咨询", "广告传媒", "会展服务"),
    "居民服务、修理和其他服务业": ("家政服务", "汽车维修", "保洁服务", "养老服务"),
    "农、林、牧、渔业": ("农业发展", "生态农业", "茶业", "水产养殖", "林业开发"),
    "电力、热力、燃气及水生产和供应业": ("供水", "燃气", "热电", "新能源"),
    "采矿业": ("矿业", "煤业", "建材矿产"),
    "金融业": ("小额贷款", "融资担保", "典当", "融资租赁"),
    "教育": ("教育科技", "职业技能培训"),
    "卫生和社会工作": ("医疗管理", "康复医院", "健康管理"),
    "文化、体育和娱乐业": ("文化传媒", "体育发展", "影视文化"),
}
FORMS = ("有限公司", "有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
FOREIGN = ("艾德森", "科瑞斯", "福莱特", "博兰德", "联合利达", "汉斯曼", "卡尔蒂", "维克多", "伊顿斯", "森田")
BUREAUS = (
    "财政局", "教育局", "市场监督管理局", "人力资源和社会保障局", "住房和城乡建设局", "交通运输局",
    "自然资源和规划局", "统计局", "审计局", "民政局", "司法局", "应急管理局", "农业农村局", "商务局",
    "文化和旅游局", "卫生健康委员会", "退役军人事务局", "医疗保障局", "数据资源管理局", "林业局",
)
# 事业单位 names by trade: (county-wide units, units of a place in the county).
INSTITUTES = {
    "教育": (("第一中学", "第二中学", "第三中学", "实验中学", "实验小学", "职业教育中心", "特殊教育学校"),
           ("中学", "小学", "中心小学", "幼儿园", "中心学校")),
    "卫生和社会工作": (("人民医院", "中医院", "妇幼保健院", "疾病预防控制中心", "第二人民医院"),
                ("卫生院", "社区卫生服务中心")),
    "文化、体育和娱乐业": (("图书馆", "文化馆", "博物馆", "融媒体中心", "体育中心"), ("文化站", "综合文化服务中心")),
    "农、林、牧、渔业": (("农业技术推广中心", "水利工程管理站", "林业站", "畜牧兽医站"), ("农业综合服务站", "水利站")),
    PUBLIC: (("公共资源交易中心", "社会福利院", "城市管理服务中心", "政务服务中心", "不动产登记中心"),
             ("社区服务中心", "便民服务站")),
}
SOCIAL = ("个体劳动者协会", "律师协会", "总商会", "慈善会", "物流协会", "家政服务协会", "餐饮行业协会")

# 省产业工会 and the trades of the big employers under them.
PROVINCE_INDUSTRIAL = (
    ("安徽省能源化学工会", ("采矿业", "电力、热力、燃气及水生产和供应业", "制造业"), Org.EmployerType.STATE),
    ("安徽省教育工会", ("教育",), Org.EmployerType.INSTITUTION),
    ("安徽省机械冶金工会", ("制造业",), Org.EmployerType.STATE),
    ("安徽省建设建材工会", ("建筑业", "房地产业"), Org.EmployerType.STATE),
    ("安徽省财贸轻纺烟草工会", ("批发和零售业", "金融业", "制造业"), Org.EmployerType.STATE),
    ("安徽省农林水利气象工会", ("农、林、牧、渔业",), Org.EmployerType.INSTITUTION),
    ("安徽省国防邮电工会", ("信息传输、软件和信息技术服务业", "交通运输、仓储和邮政业"), Org.EmployerType.STATE),
    ("安徽省交通运输工会", ("交通运输、仓储和邮政业",), Org.EmployerType.STATE),
    ("安徽省科教文卫体工会", ("卫生和社会工作", "文化、体育和娱乐业"), Org.EmployerType.INSTITUTION),
)
CITY_INDUSTRIAL = (("教育工会", ("教育",), Org.EmployerType.INSTITUTION),
                   ("建设建材工会", ("建筑业",), Org.EmployerType.PRIVATE))
# 行业工会联合会 of a city: name, trade, employer type of its members.
SECTORS = (
    ("快递行业工会联合会", "交通运输、仓储和邮政业", ("快递", "速运", "快运")),
    ("网约送餐行业工会联合会", "信息传输、软件和信息技术服务业", ("外卖配送", "即时配送", "同城配送")),
    ("货车司机工会联合会", "交通运输、仓储和邮政业", ("物流", "运输", "货运")),
    ("家政服务业工会联合会", "居民服务、修理和其他服务业", ("家政服务", "保洁服务", "月嫂服务")),
    ("物业服务行业工会联合会", "房地产业", ("物业管理", "物业服务")),
)
AREAS_URBAN = ("商圈工会联合会", "楼宇工会联合会", "市场工会联合会")
AREAS_RURAL = ("经济开发区工会联合会", "工业园区工会联合会")
AREA_TRADES = {
    "商圈工会联合会": ("批发和零售业", "住宿和餐饮业"),
    "楼宇工会联合会": ("信息传输、软件和信息技术服务业", "租赁和商务服务业"),
    "市场工会联合会": ("批发和零售业",),
    "经济开发区工会联合会": ("制造业",),
    "工业园区工会联合会": ("制造业",),
}
AREA_CODES = {  # 长途区号
    "340100": "0551", "340200": "0553", "340300": "0552", "340400": "0554", "340500": "0555",
    "340600": "0561", "340700": "0562", "340800": "0556", "341000": "0559", "341100": "0550",
    "341200": "0558", "341300": "0557", "341500": "0564", "341600": "0558", "341700": "0566",
    "341800": "0563",
}
# Trades of the small employers of a town, weighted.
TOWN_TRADES = (
    ("制造业", 30), ("建筑业", 10), ("批发和零售业", 16), ("交通运输、仓储和邮政业", 6), ("住宿和餐饮业", 7),
    ("信息传输、软件和信息技术服务业", 4), ("房地产业", 4), ("租赁和商务服务业", 5), ("居民服务、修理和其他服务业", 5),
    ("农、林、牧、渔业", 6), ("电力、热力、燃气及水生产和供应业", 1), ("金融业", 2),
)
# 单位性质 of a town's employers, weighted.
TOWN_TYPES = (
    (Org.EmployerType.PRIVATE, 70), (Org.EmployerType.STATE, 3), (Org.EmployerType.COLLECTIVE, 3),
    (Org.EmployerType.FOREIGN, 3), (Org.EmployerType.HMT, 2), (Org.EmployerType.INSTITUTION, 9),
    (Org.EmployerType.ORGAN, 5), (Org.EmployerType.SOCIAL, 4), (Org.EmployerType.OTHER, 1),
)
# GB 32100 登记管理部门 + 机构类别 by 单位性质.
USCC_PREFIX = {
    Org.EmployerType.STATE: "91", Org.EmployerType.COLLECTIVE: "91", Org.EmployerType.PRIVATE: "91",
    Org.EmployerType.FOREIGN: "91", Org.EmployerType.HMT: "91", Org.EmployerType.INSTITUTION: "12",
    Org.EmployerType.ORGAN: "11", Org.EmployerType.SOCIAL: "51", Org.EmployerType.OTHER: "93",
}
# Head count by 单位性质: lognormal (mu, sigma); the median is e**mu (e.g. 37 for a private firm). The
# province's unions then cover ≈ 7.4 M employees, of whom ≈ 88 % are members (6.5 M, demo/members.py).
SIZE_MU = {
    Org.EmployerType.STATE: (5.5, 1.0), Org.EmployerType.COLLECTIVE: (3.9, 0.8),
    Org.EmployerType.PRIVATE: (3.6, 1.15), Org.EmployerType.FOREIGN: (5.1, 1.0), Org.EmployerType.HMT: (4.8, 1.0),
    Org.EmployerType.INSTITUTION: (4.5, 0.9), Org.EmployerType.ORGAN: (4.1, 0.6),
    Org.EmployerType.SOCIAL: (2.9, 0.8), Org.EmployerType.OTHER: (3.0, 0.8),
}
SMALL_MU = (2.7, 0.6)  # the small firms of a 联合工会 and those without a union
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body8: str) -> str:
    """The check character of a GB 11714 organization code (the 9-char subject of a credit code)."""
    c = 11 - sum(int(d) * w for d, w in zip(body8, GB11714_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


# ---------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, scale: str, seed: int, regions: Iterable[dict]):
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.seed = seed
        self.rng = random.Random(f"gonghui-demo:{seed}")
        self.orgs: list[OrgSpec] = []
        self.employers: list[EmployerSpec] = []
        self.places: dict[str, int] = {}
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.serial = 0
        self.serial_offset = self.rng.randrange(10**8)
        self.leaf_serial: dict[str, int] = {}
        current = [r for r in regions if r["in_use"] and r["code"].startswith("34")]
        self.cities = sorted((r for r in current if r["level"] == "prefecture"), key=lambda r: r["code"])
        self.counties = {
            c["code"]: sorted((r for r in current if r["level"] == "county" and r["code"][:4] == c["code"][:4]),
                              key=lambda r: r["code"])
            for c in self.cities
        }

    # --- small generators

    def person(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.75 else "")
        return self.rng.choice(SURNAMES) + given

    def subject(self) -> str:
        """A fresh 9-char organization code: 8 digits (a scrambled serial, so never repeated) + check."""
        self.serial += 1
        body = f"{(self.serial * 7_919_333 + self.serial_offset) % 10**8:08d}"
        return body + org_code_check(body)

    def credit_code(self, prefix: str, region: str) -> str:
        return uscc.make(prefix, region, self.subject())

    def phone(self, city_code: str) -> str:
        area = AREA_CODES.get(city_code, "0551")
        if area == "0551":  # 合肥 has eight-digit numbers
            return f"{area}-{self.rng.randrange(62000000, 69999999)}"
        return f"{area}-{self.rng.randrange(2000000, 8999999)}"

    def date(self, start: datetime.date, end: datetime.date = DATA_END) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def unique(self, make) -> str | None:
        """A name from `make()` not used before; None when `make` keeps repeating itself."""
        for _ in range(30):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        return None

    # --- organizations

    def add(self, parent: OrgSpec | None, *, code: str, name: str, kind: str, region: str, city: str,
            founded: datetime.date, **facts) -> OrgSpec:
        assert code not in self.codes, code
        self.codes.add(code)
        org = OrgSpec(
            key=len(self.orgs), parent=parent.key if parent else None, depth=parent.depth + 1 if parent else 0,
            code=code, name=name, kind=kind, level=derive_level(kind, parent), region_code=region,
            uscc=self.credit_code("81", region), founded_on=founded, chair_name=self.person(),
            phone=self.phone(city), **facts,
        )
        self.orgs.append(org)
        return org

    def federation_facts(self) -> dict:
        return {"has_congress": True, "has_disclosure": True}

    def build(self) -> Plan:
        rng = self.rng
        root = self.add(None, code=ROOT_CODE, name=ROOT_NAME, kind=K.FEDERATION, region=PROVINCE_CODE,
                        city="340100", founded=datetime.date(1950, 7, 1), **self.federation_facts())
        self.places["province"] = root.key
        self.names.add(ROOT_NAME)
        # Parents of grassroots unions with their relative weight and how to make a leaf under them.
        slots: list[tuple[OrgSpec, float, dict]] = []
        for i, (name, trades, etype) in enumerate(PROVINCE_INDUSTRIAL, start=1):
            org = self.add(root, code=f"340000C{i:02d}", name=name, kind=K.INDUSTRIAL, region=PROVINCE_CODE,
                           city="340100", founded=self.date(datetime.date(1952, 1, 1), datetime.date(1995, 12, 31)),
                           **self.federation_facts())
            self.names.add(name)
            slots.append((org, 0.6, {"trades": trades, "etype": etype, "anywhere": True}))
        expanded = set(self.scale.cities or [c["code"] for c in self.cities])
        for city in self.cities:
            cname = city["name"]
            fed = self.add(root, code=city["code"][:4] + "0000", name=f"{cname}总工会", kind=K.FEDERATION,
                           region=city["code"], city=city["code"],
                           founded=self.date(datetime.date(1950, 1, 1), datetime.date(1990, 12, 31)),
                           **self.federation_facts())
            if city["code"] not in expanded:
                continue
            self.places.setdefault("city", fed.key)
            ctx = {"city": city, "counties": self.counties[city["code"]]}
            for i, (suffix, trades, etype) in enumerate(CITY_INDUSTRIAL, start=1):
                org = self.add(fed, code=f"{city['code']}C{i:02d}", name=f"{cname}{suffix}", kind=K.INDUSTRIAL,
                               region=city["code"], city=city["code"],
                               founded=self.date(datetime.date(1980, 1, 1), datetime.date(2005, 12, 31)),
                               **self.federation_facts())
                slots.append((org, 0.5, ctx | {"trades": trades, "etype": etype}))
            for i, (suffix, trade, words) in enumerate(rng.sample(SECTORS, rng.randint(2, 4)), start=1):
                org = self.add(fed, code=f"{city['code']}H{i:02d}", name=f"{cname}{suffix}", kind=K.SECTOR,
                               region=city["code"], city=city["code"],
                               founded=self.date(datetime.date(2015, 1, 1), datetime.date(2024, 12, 31)),
                               **self.federation_facts())
                slots.append((org, 0.5, ctx | {"trades": (trade,), "words": words,
                                                "etype": Org.EmployerType.PRIVATE}))
            for county in self.counties[city["code"]]:
                self.build_county(fed, city, county, slots)
        self.build_leaves(slots)
        self.build_unorganized()
        return Plan(scale=self.scale_name, seed=self.seed, orgs=self.orgs, employers=self.employers,
                    places=self.places)

    def build_county(self, city_fed: OrgSpec, city: dict, county: dict, slots: list) -> None:
        rng = self.rng
        cc, name = county["code"], county["name"]
        urban = name.endswith("区")
        fed = self.add(city_fed, code=cc + "00", name=f"{name}总工会", kind=K.FEDERATION, region=cc,
                       city=city["code"], founded=self.date(datetime.date(1950, 1, 1), datetime.date(2000, 12, 31)),
                       **self.federation_facts())
        self.names.add(fed.name)
        self.places.setdefault("county", fed.key)
        ctx = {"city": city, "counties": [county], "county": county}
        areas = AREAS_URBAN if urban else AREAS_RURAL
        for i in range(rng.choice((0, 1, 1, 2))):
            suffix = rng.choice(areas)
            place = self.place_name()
            label = f"{name}{place}{suffix}" if suffix in AREAS_URBAN else f"{name}{suffix}"
            if label in self.names:
                continue
            self.names.add(label)
            org = self.add(fed, code=f"{cc}Q{i + 1:02d}", name=label, kind=K.AREA, region=cc, city=city["code"],
                           founded=self.date(datetime.date(2008, 1, 1), datetime.date(2025, 12, 31)),
                           **self.federation_facts())
            slots.append((org, 1.2, ctx | {"trades": AREA_TRADES[suffix]}))
        low, high = self.scale.district_towns if urban else self.scale.county_towns
        town_names: set[str] = set()
        for i in range(1, rng.randint(low, high) + 1):
            if urban:
                suffix = "街道" if rng.random() < 0.88 else "镇"
            else:
                suffix = "镇" if rng.random() < 0.78 else ("乡" if rng.random() < 0.6 else "街道")
            if not urban and i == 1:
                town, suffix = ("城关", "镇") if rng.random() < 0.5 else (self.place_name(), "街道")
            else:
                town = self.place_name(street=suffix == "街道")
            if town + suffix in town_names:
                continue
            town_names.add(town + suffix)
            org = self.add(fed, code=f"{cc}Z{i:03d}", name=f"{name}{town}{suffix}总工会", kind=K.FEDERATION,
                           region=cc, city=city["code"],
                           founded=self.date(datetime.date(1985, 1, 1), datetime.date(2020, 12, 31)),
                           **self.federation_facts())
            self.places.setdefault("town", org.key)
            weight = rng.lognormvariate(0, 0.5) * (1.3 if urban else 1.0)
            slots.append((org, weight, ctx | {"town": town + suffix}))

    def place_name(self, street: bool = False) -> str:
        name = self.rng.choice(TOWN_HEADS) + self.rng.choice(TOWN_TAILS)
        if street and self.rng.random() < 0.3:
            name += self.rng.choice(STREET_TAILS)
        return name

    def build_leaves(self, slots: list) -> None:
        """Share the grassroots unions still needed to reach the target among their parents."""
        wanted = max(self.scale.target - len(self.orgs), len(slots))
        total = sum(w for _, w, _ in slots)
        shares = [wanted * w / total for _, w, _ in slots]
        counts = [max(1, int(s)) for s in shares]
        by_remainder = sorted(range(len(slots)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
        for i in by_remainder[: max(0, wanted - sum(counts))]:
            counts[i] += 1
        for (parent, _, ctx), n in zip(slots, counts, strict=True):
            siblings: list[OrgSpec] = []
            for _ in range(n):
                siblings.append(self.leaf(parent, ctx, siblings))

    def leaf(self, parent: OrgSpec, ctx: dict, siblings: list[OrgSpec]) -> OrgSpec:
        rng = self.rng
        county = ctx.get("county") or rng.choice(ctx.get("counties") or self.any_counties())
        city = ctx.get("city") or next(c for c in self.cities if c["code"][:4] == county["code"][:4])
        region = county["code"]
        serial = self.leaf_serial[region] = self.leaf_serial.get(region, 0) + 1
        code = f"{region}J{serial:05d}"
        founded = self.date(GRASSROOTS_START)
        demo_town = parent.key == self.places.get("town") and "grassroots" not in self.places
        if "town" in ctx and not demo_town and rng.random() < 0.08:
            employers = [self.employer(city, county, ctx, small=True) for _ in range(rng.randint(2, 6))]
            headcount = sum(e.employee_count for e in employers)
            name = self.unique(lambda: f"{county['name']}{ctx['town']}{self.place_name()}"
                                       f"{rng.choice(VILLAGE_TAILS)}联合工会委员会") \
                or self.unique(lambda: f"{county['name']}{ctx['town']}{rng.choice(BRANDS)}"
                                       "小微企业联合工会委员会")
            org = self.add(parent, code=code, name=name, kind=K.JOINT, region=region, city=city["code"],
                           founded=founded, employee_count=headcount, **self.practices(headcount))
        else:
            employer = self.employer(city, county, ctx)
            employers = [employer]
            org = self.add(parent, code=code, name=f"{employer.name}工会", kind=K.GRASSROOTS, region=region,
                           city=city["code"], founded=founded, employer_name=employer.name,
                           employer_uscc=employer.uscc, employer_type=employer.employer_type,
                           industry=employer.industry, employee_count=employer.employee_count,
                           **self.practices(employer.employee_count))
            if demo_town:
                self.places["grassroots"] = org.key
        union = org
        roll = rng.random()
        if demo_town:
            pass
        elif roll < 0.006:  # 撤销: the employer closed; its record keeps pointing at the old union
            org.status = Org.Status.DISSOLVED
            org.closed_on = self.date(min(org.founded_on + datetime.timedelta(days=365), DATA_END))
        elif roll < 0.009 and (active := [s for s in siblings if s.status == Org.Status.ACTIVE]):
            union = rng.choice(active)  # 合并: as merge_org leaves it, the employers go with it
            org.status = Org.Status.MERGED
            org.merged_into = union.key
            org.closed_on = self.date(max(org.founded_on, union.founded_on))
        for e in employers:
            e.union = union.key
        self.employers.extend(employers)
        return org

    def any_counties(self) -> list[dict]:
        expanded = self.scale.cities or [c["code"] for c in self.cities]
        return [c for code in expanded for c in self.counties[code]]

    def practices(self, employees: int) -> dict:
        bonus = 0.15 if employees >= 100 else 0.0
        return {"has_congress": self.rng.random() < 0.72 + bonus, "has_disclosure": self.rng.random() < 0.75 + bonus}

    def employer(self, city: dict, county: dict, ctx: dict, *, small: bool = False) -> EmployerSpec:
        rng = self.rng
        trades = ctx.get("trades")
        if "etype" in ctx:
            etype = ctx["etype"] if rng.random() < 0.8 else Org.EmployerType.PRIVATE
        elif small:
            etype = Org.EmployerType.PRIVATE if rng.random() < 0.9 else Org.EmployerType.OTHER
        else:
            etype = self.weighted(TOWN_TYPES)
        trade = rng.choice(trades) if trades else self.weighted(TOWN_TRADES)
        if etype == Org.EmployerType.INSTITUTION and trade not in INSTITUTES:
            trade = rng.choice(("教育", "教育", "卫生和社会工作", "文化、体育和娱乐业", PUBLIC))
        named = self.employer_name(etype, trade, city, county, ctx)
        while named is None:  # the names of this kind in the county are used up: a private firm instead
            etype = Org.EmployerType.PRIVATE
            named = self.employer_name(etype, self.weighted(TOWN_TRADES), city, county, {})
        name, trade = named
        mu, sigma = SMALL_MU if small else SIZE_MU[etype]
        employees = max(3, min(60000, int(rng.lognormvariate(mu, sigma))))
        return EmployerSpec(name=name, uscc=self.credit_code(USCC_PREFIX[etype], county["code"]),
                            employer_type=etype, industry=trade, employee_count=employees,
                            region_code=county["code"], union=None)

    def employer_name(self, etype: str, trade: str, city: dict, county: dict, ctx: dict) -> tuple[str, str] | None:
        """(name, 行业) of a new employer, or None when no unused name of that kind comes up."""
        rng = self.rng
        cshort = city["name"].removesuffix("市")
        where = county["name"]
        town = ctx.get("town")
        if etype == Org.EmployerType.ORGAN:
            def make() -> str:
                if town and rng.random() < 0.4:
                    return f"{where}{town}{rng.choice(('人民政府', '便民服务中心', '综合执法大队', '社会事务办公室'))}"
                return f"{where}{rng.choice(BUREAUS)}"
            name = self.unique(make)
            return (name, PUBLIC) if name else None
        if etype == Org.EmployerType.INSTITUTION:
            county_wide, local = INSTITUTES[trade]
            name = self.unique(lambda: f"{where}{rng.choice(county_wide)}" if rng.random() < 0.2
                               else f"{where}{self.place_name()}{rng.choice(local)}")
            return (name, trade) if name else None
        if etype == Org.EmployerType.SOCIAL:
            name = self.unique(lambda: rng.choice((
                f"{where}{rng.choice(SOCIAL)}",
                f"{where}{rng.choice(BRANDS)}社会工作服务中心",
                f"{where}{rng.choice(BRANDS)}养老服务中心",
            )))
            if name is None:
                return None
            return name, PUBLIC if name.endswith(("会", "商会")) else "居民服务、修理和其他服务业"
        words = ctx.get("words") or INDUSTRIES.get(trade) or INDUSTRIES["制造业"]

        def make() -> str:
            brand = rng.choice(BRANDS) + (rng.choice(BRAND_TAILS) if rng.random() < 0.25 else "")
            word = rng.choice(words)
            home = cshort if rng.random() < 0.6 else where
            if etype == Org.EmployerType.STATE:
                return rng.choice((f"安徽{brand}{word}集团有限公司", f"{cshort}市{brand}{word}有限责任公司",
                                   f"{cshort}{brand}{word}股份有限公司"))
            if etype == Org.EmployerType.COLLECTIVE:
                return f"{where}{self.place_name()}{word}{rng.choice(('厂', '合作社', '有限公司'))}"
            if etype in (Org.EmployerType.FOREIGN, Org.EmployerType.HMT):
                return f"{rng.choice(FOREIGN)}（{cshort}）{word}有限公司"
            if etype == Org.EmployerType.OTHER:
                return f"{where}{brand}{word}{rng.choice(('专业合作社', '经营部', '工作室'))}"
            return f"{home}{brand}{word}{rng.choice(FORMS)}"

        name = self.unique(make)
        return (name, trade) if name else None

    def build_unorganized(self) -> None:
        """Employers without a union (about a fifth of all), in the expanded counties, mostly small."""
        rng = self.rng
        counties = self.any_counties()
        for _ in range(len(self.employers) // 4):
            county = rng.choice(counties)
            city = next(c for c in self.cities if c["code"][:4] == county["code"][:4])
            e = self.employer(city, county, {}, small=rng.random() < 0.7)
            self.employers.append(e)


def build_plan(*, scale: str, seed: int, regions: Iterable[dict]) -> Plan:
    """The demo province for `scale` and `seed`. `regions`: dicts with code, name, level, in_use."""
    if scale not in SCALES:
        raise ValueError(f"未知规模：{scale}")
    return _Builder(scale, seed, regions).build()
