"""Audit action codes of the service hall."""

from gonghui.common.audit import register

from .actions import ACTION_LABELS

register({
    "hall_file": "新建办件",
    # transition records hall_<action>: 办件提交, 办件受理, 办件不予受理, 办件退回补正 …
    **{f"hall_{action}": f"办件{label}" for action, label in ACTION_LABELS.items()},
    "hall_attach": "上传办件材料",
    "hall_attachment_download": "下载办件材料",
    "hall_rate": "办件评价",
    "hall_remind": "办件到期提醒",
    "hall_item": "维护办事项",
    "hall_holiday": "维护节假日",
    "hall_holiday_delete": "删除节假日",
})
