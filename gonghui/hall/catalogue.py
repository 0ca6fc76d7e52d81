"""The default catalogue of service items (默认事项目录), installed by migration 0002 as version 1 of each
item. Plain data: administrators change items in the back office afterwards (each change a new version).

A step may name its own `level` (e.g. the grassroots union accepts, the county federation approves); a
step without one is handled at the item's level."""

PENDING = "本事项办结后，由承办工会线下落实（相关业务模块建设中，系统暂不自动处理办结结果）。"

STEPS_2 = [{"name": "受理", "role": "operator"}, {"name": "审批", "role": "approver"}]
STEPS_3 = [{"name": "受理", "role": "operator"}, {"name": "审核", "role": "approver"},
           {"name": "审批", "role": "approver", "level": "county"}]

_NAME = {"name": "name", "label": "姓名", "type": "text", "required": True, "max_length": 50}
_ID = {"name": "id_number", "label": "身份证号", "type": "id_number", "required": True}
_MOBILE = {"name": "mobile", "label": "手机号", "type": "mobile", "required": True}
_REASON = {"name": "reason", "label": "情况说明", "type": "textarea", "required": True, "max_length": 1000}
_PROOF = {"name": "proof", "label": "证明材料", "types": ["pdf", "jpg", "png"], "max_mb": 10, "required": True}
_WORKER = ["worker", "member"]
_UNION = ["union"]

ITEMS = [
    {"code": "join", "name": "入会申请", "applicants": ["worker"], "level": "own", "time_limit_days": 5,
     "steps": STEPS_2, "effect": "member_join",
     "guide": "年满16周岁、以工资收入为主要生活来源的职工，可向所在单位工会申请入会；单位没有工会的，可向所在乡镇"
              "（街道）或行业工会申请。审批通过后即建立会员记录，可领取电子会员卡。",
     "fields": [_NAME, _ID, _MOBILE,
                {"name": "ethnicity", "label": "民族", "type": "text", "max_length": 10},
                {"name": "education", "label": "学历", "type": "text", "max_length": 20},
                {"name": "worker_group", "label": "八大群体/新就业形态", "type": "text", "max_length": 20}],
     "attachments": []},
    {"code": "transfer", "name": "转会申请", "applicants": _WORKER, "level": "own", "time_limit_days": 10,
     "steps": STEPS_2, "effect": "",
     "guide": "会员调动工作的，向新单位工会申请转入会籍。" + PENDING,
     "fields": [_NAME, {"name": "from_union", "label": "原所在工会", "type": "text", "required": True,
                        "max_length": 100}, _REASON], "attachments": []},
    {"code": "ecard", "name": "电子会员卡申领", "applicants": ["member"], "level": "own", "time_limit_days": 3,
     "steps": [{"name": "受理", "role": "operator"}, {"name": "办结", "role": "operator"}], "effect": "",
     "guide": "在会会员可在“职工之家”实名绑定后直接使用电子会员卡；无法绑定的，可在此申请由工会核实后发放。" + PENDING,
     "fields": [_NAME, _MOBILE], "attachments": []},
    {"code": "hardship_aid", "name": "困难职工帮扶申请", "applicants": _WORKER, "level": "own", "time_limit_days": 15,
     "steps": STEPS_3, "effect": "",
     "guide": "因病、因灾、因意外等原因导致家庭生活困难的职工，可申请困难帮扶：由所在工会受理、审核，县级总工会审批。"
              + PENDING,
     "fields": [_NAME, {"name": "category", "label": "困难类型", "type": "choice", "required": True,
                        "choices": ["因病致困", "因灾致困", "因意外致困", "子女教育", "其他"]},
                {"name": "household_size", "label": "家庭人口", "type": "number", "required": True},
                {"name": "monthly_income", "label": "家庭月收入（元）", "type": "money", "required": True}, _REASON],
     "attachments": [_PROOF]},
    {"code": "golden_autumn", "name": "金秋助学申请", "applicants": _WORKER, "level": "own", "time_limit_days": 15,
     "steps": STEPS_3, "effect": "",
     "guide": "困难职工子女当年考入大学（含高职）的，可申请金秋助学金。" + PENDING,
     "fields": [_NAME, {"name": "student", "label": "学生姓名", "type": "text", "required": True, "max_length": 50},
                {"name": "school", "label": "录取学校", "type": "text", "required": True, "max_length": 100}, _REASON],
     "attachments": [{"name": "admission", "label": "录取通知书", "types": ["pdf", "jpg", "png"], "max_mb": 10,
                      "required": True}]},
    {"code": "medical_mutual", "name": "医疗互助报销", "applicants": ["member"], "level": "county",
     "time_limit_days": 20, "steps": STEPS_2, "effect": "",
     "guide": "参加职工医疗互助的会员，住院或门诊大病就医后可申请互助金。" + PENDING,
     "fields": [_NAME, {"name": "visit_date", "label": "就诊日期", "type": "date", "required": True},
                {"name": "hospital", "label": "就诊医院", "type": "text", "required": True, "max_length": 100},
                {"name": "amount", "label": "医疗费用（元）", "type": "money", "required": True}],
     "attachments": [{"name": "invoice", "label": "医疗费用发票", "types": ["pdf", "jpg", "png"], "max_mb": 10,
                      "required": True}]},
    {"code": "serious_illness", "name": "大病救助申请", "applicants": _WORKER, "level": "county",
     "time_limit_days": 20, "steps": STEPS_2, "effect": "",
     "guide": "患重大疾病、自付医疗费用较高的职工可申请大病救助。" + PENDING,
     "fields": [_NAME, {"name": "illness", "label": "所患疾病", "type": "text", "required": True, "max_length": 100},
                {"name": "amount", "label": "自付医疗费用（元）", "type": "money", "required": True}],
     "attachments": [_PROOF]},
    {"code": "legal_aid", "name": "法律援助申请", "applicants": _WORKER, "level": "county", "time_limit_days": 10,
     "steps": STEPS_2, "effect": "",
     "guide": "职工因劳动报酬、工伤、劳动合同等权益受到侵害，可申请工会法律援助。" + PENDING,
     "fields": [_NAME, _MOBILE, {"name": "dispute", "label": "争议类型", "type": "choice", "required": True,
                                 "choices": ["劳动报酬", "工伤", "劳动合同", "社会保险", "其他"]}, _REASON],
     "attachments": []},
    {"code": "dispute_mediation", "name": "劳动争议调解申请", "applicants": _WORKER, "level": "town",
     "time_limit_days": 15, "steps": STEPS_2, "effect": "",
     "guide": "职工与用人单位发生劳动争议的，可申请工会参与调解。" + PENDING,
     "fields": [_NAME, _MOBILE, {"name": "employer", "label": "用人单位", "type": "text", "required": True,
                                 "max_length": 100}, _REASON], "attachments": []},
    {"code": "recuperation", "name": "疗休养报名", "applicants": ["member"], "level": "city", "time_limit_days": 10,
     "steps": STEPS_2, "effect": "",
     "guide": "劳动模范、一线职工等可报名参加工会组织的疗休养活动。" + PENDING,
     "fields": [_NAME, _MOBILE, {"name": "session", "label": "意向批次", "type": "text", "max_length": 50}],
     "attachments": []},
    {"code": "skills_training", "name": "技能培训报名", "applicants": _WORKER, "level": "county",
     "time_limit_days": 5, "steps": STEPS_2, "effect": "",
     "guide": "职工可报名参加工会组织的职业技能培训。" + PENDING,
     "fields": [_NAME, _MOBILE, {"name": "course", "label": "培训项目", "type": "text", "required": True,
                                 "max_length": 100}], "attachments": []},
    {"code": "job_registration", "name": "求职登记", "applicants": _WORKER, "level": "county", "time_limit_days": 5,
     "steps": STEPS_2, "effect": "",
     "guide": "失业或有转岗意向的职工可进行求职登记，工会提供岗位推荐。" + PENDING,
     "fields": [_NAME, _MOBILE, {"name": "wanted", "label": "求职意向", "type": "text", "required": True,
                                 "max_length": 100}], "attachments": []},
    {"code": "model_worker_aid", "name": "劳模困难补助申请", "applicants": ["member"], "level": "city",
     "time_limit_days": 20, "steps": STEPS_2, "effect": "",
     "guide": "生活困难的劳动模范可申请困难补助。" + PENDING,
     "fields": [_NAME, {"name": "title", "label": "荣誉称号及年份", "type": "text", "required": True,
                        "max_length": 100}, _REASON], "attachments": [_PROOF]},
    {"code": "union_founding", "name": "建会申请", "applicants": ["worker", "union"], "level": "town",
     "time_limit_days": 20, "steps": STEPS_2, "effect": "",
     "guide": "尚未建立工会的单位，职工或单位可申请组建工会，由所在乡镇（街道）工会指导。" + PENDING,
     "fields": [{"name": "employer", "label": "单位名称", "type": "text", "required": True, "max_length": 100},
                {"name": "employees", "label": "职工人数", "type": "number", "required": True}, _MOBILE],
     "attachments": []},
    {"code": "collective_contract", "name": "集体合同备案", "applicants": _UNION, "level": "county",
     "time_limit_days": 15, "steps": STEPS_2, "effect": "",
     "guide": "企业工会与企业签订集体合同（含工资专项集体合同）后，报县级总工会备案。" + PENDING,
     "fields": [{"name": "signed_on", "label": "签订日期", "type": "date", "required": True},
                {"name": "term", "label": "合同期限", "type": "text", "required": True, "max_length": 50}],
     "attachments": [{"name": "contract", "label": "集体合同文本", "types": ["pdf"], "max_mb": 20, "required": True}]},
    {"code": "fund_refund", "name": "经费返还申请", "applicants": _UNION, "level": "county", "time_limit_days": 15,
     "steps": STEPS_2, "effect": "",
     "guide": "基层工会按规定申请工会经费返还。" + PENDING,
     "fields": [{"name": "period", "label": "所属期间", "type": "text", "required": True, "max_length": 20},
                {"name": "amount", "label": "申请金额（元）", "type": "money", "required": True}],
     "attachments": [_PROOF]},
]


def install(ServiceItem, ItemVersion) -> int:
    """Create the items not there yet (by code), each with version 1; the model classes are passed so that
    the migration can use its historical ones. Returns how many were created."""
    created = 0
    for order, spec in enumerate(ITEMS, start=1):
        if ServiceItem.objects.filter(code=spec["code"]).exists():
            continue
        item = ServiceItem.objects.create(code=spec["code"], name=spec["name"], order=order * 10)
        version = ItemVersion.objects.create(
            item=item, number=1, guide=spec["guide"], applicants=spec["applicants"], fields=spec["fields"],
            attachments=spec["attachments"], level=spec["level"], steps=spec["steps"],
            time_limit_days=spec["time_limit_days"], effect=spec["effect"])
        item.current = version
        item.save(update_fields=["current"])
        created += 1
    return created
