from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.hashers import make_password

from apps.common.middleware import client_ip

from . import throttle

# One answer for an unknown user, a wrong password, an inactive account, a locked account and a throttled address
# (SECURITY.md AUTH-05: no user enumeration; tests/accounts/test_enumeration.py compares status, body and headers).
LOGIN_REFUSED = "用户名或密码错误，或尝试过多已被暂时锁定。15 分钟内连续 5 次错误将锁定账户 30 分钟，请稍后再试或联系安全管理员解锁。"


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}

    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control",
            }
        ),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password and self.request is not None:
            if throttle.is_throttled(client_ip(self.request), username):
                make_password(password)  # the same work as a password check: no timing difference
                raise self.get_invalid_login_error()
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                make_password(password or "")  # axes refused before the hasher ran: spend the same time
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .passwords import password_state

        if password_state(user)[0] == "initial_expired":
            raise forms.ValidationError(
                "初始密码已超过有效期，请联系系统管理员重新设置密码。", code="initial_password_expired"
            )

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="验证码或恢复码",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
        error_messages={"required": "请输入验证器 App 显示的 6 位验证码，或一个恢复码"},
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}
        ),
        error_messages={"required": "请输入验证器 App 显示的 6 位验证码"},
    )


class PasswordChangeFormZh(PasswordChangeForm):
    error_messages = {
        "password_incorrect": "当前密码不正确",
        "password_mismatch": "两次输入的新密码不一致",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
            field.error_messages["required"] = f"请填写{field.label}"
