from django.core.checks import Error, register


@register()
def defusedxml_active(app_configs, **kwargs):
    """openpyxl parses XML safely only when defusedxml is installed (SECURITY.md FILE-04)."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        return [Error("openpyxl 未启用 defusedxml，Excel 导入存在 XML 攻击风险", id="common.E001")]
    return []
