"""Audit action codes of the demo province."""

from gonghui.common.audit import register

register({"demo_load": "载入演示数据"})
