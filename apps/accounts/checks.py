"""Deploy checks of accounts (``manage.py check --deploy``): 三权分立 leaves no room for superusers (ACL-09).

``is_superuser`` bypasses every permission and the separation of the three admin roles; production keeps none
active. A break-glass superuser, if the operator keeps one, stays ``is_active=False`` until needed (and enabling it
is an audited admin change). The check reads the database; without one (a build step) it says nothing.
"""

from django.core.checks import Error, register
from django.db import DatabaseError


@register("security", deploy=True)
def no_active_superusers(app_configs=None, **kwargs):
    from .models import User

    try:
        names = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:10])
    except DatabaseError:
        return []
    if not names:
        return []
    return [
        Error(
            f"存在启用的超级用户：{'、'.join(names)}。生产环境不使用 is_superuser（三权分立）：请按角色分配"
            "系统管理员、安全管理员或审计管理员，并停用这些账户（manage.py account_hygiene 列出全部问题账户）。",
            id="accounts.E001",
        )
    ]
