"""The statistics engine in the back office."""

# The work report's template --------------------------------------------------------------------------------
from .report import admin as report_admin  # noqa: F401  (registers 工作报告模板)
