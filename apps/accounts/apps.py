from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账户与镇街"
    audit_actions = {
        "auth.login": "登录",
        "auth.logout": "退出登录",
        "auth.login_failed": "登录失败",
        "auth.locked_out": "账户锁定",
        "admin.password_change": "后台修改密码",
        "api_client.create": "创建接口客户端",
        "api_client.revoke": "吊销接口客户端",
        "reference.load": "加载基础数据",
        "role.permissions_set": "设置角色权限",
        "user.demo_create": "创建演示账户",
        "user.roles_set": "设置账户角色",
        "auth.password_change": "修改密码",
        "auth.password_reset": "重置密码",
        "auth.otp_enrol": "绑定二次验证",
        "auth.otp_reset": "重置二次验证",
        "auth.recovery_code_used": "使用二次验证恢复码",
        "auth.recovery_codes_regenerate": "重新生成恢复码",
    }
    audit_object_types = {"auth.group": "角色"}  # roles are Django groups (apps.accounts.roles)

    def ready(self):
        from apps.common.navigation import register_nav

        # permission-cache invalidation; login/logout/lockout audit events
        from . import checks, permcache, signals  # noqa: F401

        # The API docs are for whoever issues tokens to integrators (the security admin), not for every role.
        register_nav("接口文档", "api-docs", perm="accounts.view_apiclient", icon="code-square", order=88)
