"""Text that comes in is normalised and checked once (apps/common/text.py), on every path: pages, API, admin."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework import serializers

from apps.common.text import clean_text
from apps.enterprises.models import Enterprise
from tests.enterprises.test_api import create_body
from tests.enterprises.test_pages import create_form


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("乡\u200b味", "乡味"),  # a zero-width space inside a name is removed
        ("\ufeff乡味面馆 ", "乡味面馆"),
        ("e\u0301", "\u00e9"),  # NFC
        ("一\t二", "一 二"),  # a TAB pasted into a one-line field becomes a space
    ],
)
def test_clean_text_normalises(raw, expected):
    assert clean_text(raw, multiline=False) == expected


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("\u200b\u200b\u200d", "只包含不可见字符"),
        ("乡味\x00", "U+0000"),
        ("乡味\x1b[31m", "U+001B"),
        ("abc\u202egpj.exe", "U+202E"),
        ("名称\u2066x\u2069", "U+2066"),
    ],
)
def test_clean_text_refuses_invisible_only_control_and_bidi(raw, fragment):
    with pytest.raises(ValidationError) as info:
        clean_text(raw)
    assert fragment in info.value.messages[0]


@pytest.mark.parametrize(
    "raw, strip, expected",
    [
        (" 乡味面馆 ", True, "乡味面馆"),
        (" 乡味面馆 ", False, " 乡味面馆 "),
        ("   ", True, ""),  # blank is not "invisible only": it is empty
        ("\u3000", True, ""),
        ("cafe\u0301 ", True, "caf\u00e9"),
        ("\u00e9", False, "\u00e9"),
    ],
)
def test_plain_text_takes_the_short_path_with_the_same_result(raw, strip, expected):
    """Text holding no character the rules act on is only normalised (NFC) and stripped."""
    for multiline in (True, False):
        assert clean_text(raw, multiline=multiline, strip=strip) == expected


def test_multiline_text_keeps_line_breaks():
    assert clean_text("第一行\r\n第二行\t完", multiline=True) == "第一行\r\n第二行\t完"


def test_every_form_charfield_and_drf_charfield_use_it_but_not_passwords():
    assert forms.CharField().clean("乡\u200b味") == "乡味"
    with pytest.raises(ValidationError):
        forms.CharField().clean("\u200b")
    assert forms.CharField(widget=forms.PasswordInput).clean("pa\u200bss") == "pa\u200bss"
    assert serializers.CharField().run_validation("乡\u200b味") == "乡味"
    with pytest.raises(serializers.ValidationError):
        serializers.CharField().run_validation("x\u202ey")
    assert serializers.CharField(style={"input_type": "password"}).run_validation("a\u200bb") == "a\u200bb"


def test_enterprise_page_refuses_a_name_of_zero_width_characters(staff_a, township_a):
    client = Client()
    client.force_login(staff_a)
    response = client.post(reverse("enterprises:create"), create_form(township_a, name="\u200b\u200c\u200d"))
    assert response.status_code == 200
    assert "只包含不可见字符" in response.content.decode()
    response = client.post(reverse("enterprises:create"), create_form(township_a, name="张记\u202e面馆"))
    assert "改变文字显示方向" in response.content.decode()
    assert not Enterprise.objects.exists()
    response = client.post(reverse("enterprises:create"), create_form(township_a, name="张记\u200b面馆"))
    assert response.status_code == 302
    assert Enterprise.objects.get().name == "张记面馆"


def test_enterprise_api_refuses_control_characters_with_the_field_named(api_client, staff_a, township_a):
    api_client.force_authenticate(staff_a)
    response = api_client.post("/api/v1/enterprises/", create_body(name="面馆\x07"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert "name" in body["fields"] and "U+0007" in str(body["fields"]["name"])
    assert not Enterprise.objects.exists()


def test_csrf_failure_page_is_chinese_and_not_django_stock(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "表单已过期" in text and "刷新" in text
    assert "DEBUG" not in text and "CSRF verification failed" not in text


def test_axes_admin_labels_are_chinese(db):
    from axes.models import AccessAttempt
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(AccessAttempt._meta.verbose_name_plural) == "登录失败记录"
        assert str(AccessAttempt._meta.get_field("attempt_time").verbose_name) == "尝试时间"
    assert apps.get_app_config("axes").verbose_name == "登录防护"


def test_code_from_outside_haining_needs_a_reason_then_is_kept_with_the_warning(staff_a, township_a):
    from apps.enterprises.identifiers import make_uscc

    outside = make_uscc("91110105", "12345678")
    client = Client()
    client.force_login(staff_a)
    response = client.post(reverse("enterprises:create"), create_form(township_a, uscc=outside))
    assert response.status_code == 200 and "不是海宁市" in response.content.decode()
    assert not Enterprise.objects.exists()
    response = client.post(
        reverse("enterprises:create"),
        create_form(township_a, uscc=outside, uscc_override_reason="总部在北京朝阳，海宁门店持其执照经营"),
    )
    assert response.status_code == 302
    ent = Enterprise.objects.get()
    assert "110105" in ent.uscc_warning and ent.uscc_override_reason.startswith("总部")
