import re

from django.core.exceptions import ValidationError

CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
)


class CharacterClassValidator:
    """等保 level 3: at least three of lower case, upper case, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for rx, _ in CLASSES if rx.search(password or ""))
        if present < self.min_classes:
            raise ValidationError(
                f"密码需至少包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类", code="password_classes"
            )

    def get_help_text(self):
        return f"密码需至少包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类"
