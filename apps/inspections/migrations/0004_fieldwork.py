"""Fieldwork: signature digests, the public verification id of a result (added in three steps so existing rows get
distinct UUIDs), the rectification fields of a draft, the content seal, photo pixel size, key-inspection rules."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    InspectionResult = apps.get_model("inspections", "InspectionResult")
    for pk in InspectionResult.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
        InspectionResult.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_draw_outcome_cancelled"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionresult",
            name="inspector_signature_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="检查人员签名 SHA-256"),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="operator_signature_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="被检查单位签名 SHA-256"),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="public_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="公开校验编号"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inspectionresult",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="现场检查笔录二维码指向的校验页面",
                unique=True,
                verbose_name="公开校验编号",
            ),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="rectification_requirements",
            field=models.TextField(blank=True, verbose_name="整改要求"),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="rectification_working_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="整改期限（工作日）"),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="seal",
            field=models.CharField(
                blank=True, help_text="HMAC-SHA256（服务器密钥）覆盖内容哈希", max_length=64, verbose_name="内容封签"
            ),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="sealed_content",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="定稿时封存的笔录内容（内容哈希即其规范 JSON 的 SHA-256）",
                verbose_name="定稿内容",
            ),
        ),
        migrations.AddField(
            model_name="photo",
            name="height",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="高（像素）"),
        ),
        migrations.AddField(
            model_name="photo",
            name="width",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="宽（像素）"),
        ),
        migrations.CreateModel(
            name="KeyInspectionRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="规则代码")),
                ("name", models.CharField(max_length=100, verbose_name="规则名称")),
                ("legal_basis", models.CharField(blank=True, max_length=200, verbose_name="依据")),
                ("criteria", models.JSONField(default=dict, verbose_name="适用条件")),
                ("due_working_days", models.PositiveSmallIntegerField(default=20, verbose_name="完成期限（工作日）")),
                ("effective_from", models.DateField(verbose_name="生效日期")),
                ("effective_until", models.DateField(blank=True, null=True, verbose_name="失效日期")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={
                "verbose_name": "重点检查规则",
                "verbose_name_plural": "重点检查规则",
                "ordering": ["order", "code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("effective_until__isnull", True),
                            ("effective_until__gte", models.F("effective_from")),
                            _connector="OR",
                        ),
                        name="key_rule_period_valid",
                    )
                ],
            },
        ),
    ]
