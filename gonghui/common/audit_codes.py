"""Audit action codes shared by several apps; the object type beside them says what was created or exported."""

from .audit import register

register({
    "create": "新建",
    "update": "修改",
    "import": "导入",
    "export": "导出",
})
