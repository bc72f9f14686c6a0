from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    # The same message for an unknown user and a wrong password (SECURITY.md AUTH-05: no user enumeration).
    error_messages = {
        "invalid_login": "用户名或密码错误。15 分钟内连续 5 次错误将锁定账户 30 分钟。",
        "inactive": "用户名或密码错误。15 分钟内连续 5 次错误将锁定账户 30 分钟。",
    }

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
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
