"""Audit action codes of hardship files."""

from gonghui.common.audit import register

register({
    "hardship_open": "建立困难职工档案",
    "hardship_note": "困难档案记事",
    "hardship_transfer": "困难档案随会员转移",
    "hardship_member_ended": "会员会籍终止，档案列入复核",
    "hardship_pair": "结对帮扶",
    "hardship_plan": "制定帮扶措施",
    "hardship_review": "困难档案复核",
    "hardship_close": "困难档案销档",
})
