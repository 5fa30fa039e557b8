"""Password rules beyond Django's validators."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Longer than any pass phrase a person types; a megabyte "password" is refused by
# the forms before it reaches a hasher.
MAX_PASSWORD_LENGTH = 128


class MaximumLengthValidator:
    """A new password is at most MAX_PASSWORD_LENGTH characters."""

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("密码太长，最多 %(max)s 个字符。") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("密码最多 %(max)s 个字符。") % {"max": self.max_length}
