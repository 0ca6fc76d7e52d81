"""Audit action codes of the organization tree and of scoping."""

from gonghui.common.audit import register

register({
    "move": "调整隶属关系",
    "merge": "合并组织",
    "dissolve": "撤销组织",
    "access_denied": "越权访问（已拒绝）",
})
