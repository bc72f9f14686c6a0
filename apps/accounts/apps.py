from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账户与镇街"

    def ready(self):
        from . import signals  # noqa: F401  (login/logout/lockout audit events)
