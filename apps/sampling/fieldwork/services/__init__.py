"""Writes of the sampling fieldwork, one module per aggregate: ``organisations`` (抽样机构 and labs, their members),
``tasks`` (抽样任务: single and bulk from a plan line, cancel) and ``samples`` (the 抽样单, its number, the export).
No re-exports: import from the defining module."""
