"""One rule for text that comes in from a person or a client: forms, the admin, the API and imports.

- Unicode NFC, so visually equal strings compare equal.
- Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) and soft hyphens are removed: they are invisible, they make
  "乡味" and "乡\u200b味" two different names, and a name made only of them looks blank.
- Control characters (C0 except TAB/LF/CR, DEL, C1) are refused; in one-line fields TAB/LF/CR become spaces: they break exports, logs and
  PostgreSQL (NUL).
- Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are refused: they let a name display as
  something other than what is stored ("Trojan Source").
- A value that held something but is empty after removing invisible characters is refused, not stored as "".

Wired in once (apps.common.apps): every Django form CharField (pages, filters, admin) and every DRF CharField run
their input through `clean_text`; the Excel import reads cell text through it as well.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS_RE = re.compile(r"[\t\r\n]")
# any character the rules below act on (refused, removed or turned into a space): text without one of them only
# needs NFC and the strip — one scan instead of four (the import cleans ~200,000 cells this way)
_ACTED_ON_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}{ZERO_WIDTH}]")

# The same rule as a JSON-Schema / regex character class, for the OpenAPI schema (apps.common.api.schema): the
# characters refused anywhere, and the invisible ones that alone do not make a value.
REFUSED_CLASS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069"
INVISIBLE_CLASS = r"\u200b-\u200d\u2060\ufeff\u00ad"

MESSAGES = {
    "control": "内容包含不可见的控制字符（{chars}），请删除后重新输入。",
    "bidi": "内容包含改变文字显示方向的控制字符（{chars}），为防止显示内容与实际内容不一致，请删除后重新输入。",
    "invisible_only": "内容只包含不可见字符（如零宽空格），请填写有效内容。",
}


def describe_chars(chars) -> str:
    """'U+0000、U+200B' for the message: the user cannot see these characters, so name them."""
    return "、".join(f"U+{ord(c):04X}" for c in sorted(set(chars)))


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """The Chinese message for a value that must be refused, or None."""
    control = (_CONTROL_MULTI_LINE if multiline else _CONTROL_SINGLE_LINE).findall(value)
    if control:
        return MESSAGES["control"].format(chars=describe_chars(control))
    bidi = _BIDI_RE.findall(value)
    if bidi:
        return MESSAGES["bidi"].format(chars=describe_chars(bidi))
    return None


def clean_text(value, *, multiline: bool = True, strip: bool = True):
    """Normalise `value` (a str; anything else is returned unchanged) or raise ValidationError in Chinese."""
    if not isinstance(value, str) or value == "":
        return value
    # nothing to refuse, remove or replace (the common case); those characters are all non-printable (Cc, Cf)
    if value.isprintable() or _ACTED_ON_RE.search(value) is None:
        had_content = bool(value.strip())
        cleaned = value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    else:
        if not multiline:
            value = _LINE_BREAKS_RE.sub(" ", value)  # a TAB pasted from a spreadsheet into a one-line field
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValidationError(problem, code="invalid_characters")
        had_content = bool(value.strip())
        cleaned = unicodedata.normalize("NFC", _ZERO_WIDTH_RE.sub("", value))
    if strip:
        cleaned = cleaned.strip()
    if had_content and not cleaned.strip():
        raise ValidationError(MESSAGES["invisible_only"], code="invisible_only")
    return cleaned


def install():
    """Route every form CharField and every DRF CharField through clean_text (called once from AppConfig.ready).

    Password inputs are left as typed: changing a password's characters would lock its owner out.
    """
    from django import forms

    if getattr(forms.CharField, "_clean_text_installed", False):
        return
    form_to_python = forms.CharField.to_python

    def to_python(self, value):
        value = form_to_python(self, value)
        if isinstance(self.widget, forms.PasswordInput):
            return value
        multiline = isinstance(self.widget, forms.Textarea)
        return clean_text(value, multiline=multiline, strip=getattr(self, "strip", True))

    forms.CharField.to_python = to_python
    forms.CharField._clean_text_installed = True

    from rest_framework import fields, serializers

    drf_to_internal = fields.CharField.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, str):  # the schema says "string": a number or a boolean is not text
            self.fail("invalid")
        value = drf_to_internal(self, data)
        if self.style.get("input_type") == "password":
            return value
        try:
            return clean_text(value, multiline=True, strip=self.trim_whitespace)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from None

    fields.CharField.to_internal_value = to_internal_value
