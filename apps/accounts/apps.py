from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账户与镇街"

    def ready(self):
        from apps.common.navigation import register_nav

        from . import signals  # noqa: F401  (login/logout/lockout audit events)

        # The API docs are for whoever issues tokens to integrators (the security admin), not for every role.
        register_nav("接口文档", "api-docs", perm="accounts.view_apiclient", icon="code-square", order=88)
