from django.apps import AppConfig


class PublicConfig(AppConfig):
    """一公开 portal: pages for citizens, no login. Its index is built from apps.common.portal's registry."""

    name = "apps.public"
    label = "public"
    verbose_name = "一公开"
