"""Demo inspector pool for `make run` (demo mode only): three certified inspectors per township, and the demo
inspector account `jiancha` linked to one of them so a draw's tasks reach "我的任务"."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Township, User
from apps.common.audit import audit_record

from .models import Inspector

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["建华", "丽萍", "志刚", "海燕", "国强", "晓东", "文静", "俊杰", "秀英", "伟民", "春梅", "立新"]
PER_TOWNSHIP = 3


@transaction.atomic
def demo_inspectors_seed() -> dict:
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("演示检查人员只能在演示模式（DEMO_MODE=1）下创建")
    created = 0
    valid_until = dt.date(dt.date.today().year + 3, 12, 31)
    for t_index, township in enumerate(Township.objects.filter(is_active=True).order_by("order", "id")):
        for k in range(PER_TOWNSHIP):
            n = t_index * PER_TOWNSHIP + k
            name = SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[(n * 5 + t_index) % len(GIVEN)]
            _, was_created = Inspector.objects.get_or_create(
                badge_no=f"HNZF{n + 1:04d}",
                defaults={
                    "name": name,
                    "certificate_no": f"33048120{n + 1:05d}",
                    "certificate_valid_until": valid_until,
                    "township": township,
                },
            )
            created += was_created
    demo_user = User.objects.filter(username="jiancha").first()
    if demo_user is not None and not Inspector.objects.filter(user=demo_user).exists():
        first = Inspector.objects.filter(township__code="xiashi", user__isnull=True).order_by("badge_no").first()
        if first is not None:
            first.user, first.name = demo_user, demo_user.full_name or first.name
            first.save(update_fields=["user", "name", "updated_at"])
    result = {"inspectors": Inspector.objects.count(), "created": created}
    if created:
        audit_record("inspector.demo_seed", object_type="inspections.inspector", extra=result)
    return result
