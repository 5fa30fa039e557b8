"""Forms trainees fill in while studying."""

from django import forms
from django.utils.translation import gettext_lazy as _


class QuizForm(forms.Form):
    """A lesson's quiz as radio buttons (single choice) and check boxes (multiple
    choice). Built from the questions and choice texts only: which choices are
    correct never reaches the form, the template or the browser."""

    def __init__(self, quiz, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(quiz["questions"]):
            choices = [
                (str(number), choice["text"])
                for number, choice in enumerate(question["choices"])
            ]
            messages = {
                "required": _("请作答此题。"),
                "invalid_choice": _("选项无效。"),
            }
            if question["multiple"]:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages=messages,
                )
            else:
                field = forms.ChoiceField(
                    choices=choices, widget=forms.RadioSelect, error_messages=messages
                )
            field.label = question["prompt"]
            field.multiple = bool(question["multiple"])
            self.fields[f"q{index}"] = field

    def answers(self) -> dict[str, list[int]]:
        """The cleaned answers in the shape courses.services.submit_quiz takes."""
        answers = {}
        for name, value in self.cleaned_data.items():
            values = value if isinstance(value, list) else [value]
            answers[name] = [int(item) for item in values]
        return answers
