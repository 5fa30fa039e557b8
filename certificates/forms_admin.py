"""Forms of the certificate admin. Each states in Chinese what is missing or wrong;
the rules themselves live once, in certificates.services, and a ValidationError
from there is shown on the form as it is."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates import selectors
from certificates.models import Certificate, CertificateTemplate
from courses.models import Enrollment, TrainingClass

REASON_MAX_LENGTH = 200


def reason_field(label: str, required_message: str, help_text: str = "") -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": required_message,
            "max_length": _("原因最多 %(limit_value)s 个字。"),
        },
    )


class RevokeForm(forms.Form):
    reason = reason_field(
        _("撤销原因"),
        _("请填写撤销原因。"),
        _("记入证书记录；核验页面显示证书已撤销。"),
    )


class ReinstateForm(forms.Form):
    reason = reason_field(_("恢复原因"), _("请填写恢复原因。"))


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, template: CertificateTemplate) -> str:
        if template.tier:
            return f"{template.name}（{template.get_tier_display()}）"
        return str(template.name)


def template_field(training_class: TrainingClass) -> TemplateChoiceField:
    """The active templates that fit the class's course, tier-specific first."""
    return TemplateChoiceField(
        label=_("证书模板"),
        queryset=selectors.templates_for(training_class.course),
        empty_label=None,
        error_messages={
            "required": _("请选择证书模板。"),
            "invalid_choice": _("该证书模板不适用于这门课程。"),
        },
    )


class BulkIssueForm(forms.Form):
    """批量签发: a template and the completed trainees of the class to issue to."""

    def __init__(self, training_class: TrainingClass, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"] = template_field(training_class)
        self.fields["enrollments"] = forms.ModelMultipleChoiceField(
            label=_("学员"),
            queryset=selectors.completed_enrollments(training_class),
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("请至少选择一名学员。"),
                "invalid_choice": _("所选学员中有人不在本班或尚未结业。"),
                "invalid_pk_value": _("所选学员中有人不在本班或尚未结业。"),
                "invalid_list": _("请至少选择一名学员。"),
            },
        )


class EnrollmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, enrollment: Enrollment) -> str:
        trainee = enrollment.trainee
        return (
            f"{trainee.real_name}（{trainee.masked_phone}）"
            f" · {enrollment.get_status_display()}"
        )


class ManualIssueForm(forms.Form):
    """手动签发: one trainee of the class (studying or completed), a template and
    the reason, which goes on the certificate's record."""

    def __init__(self, training_class: TrainingClass, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"] = EnrollmentChoiceField(
            label=_("学员"),
            queryset=Enrollment.objects.filter(
                training_class=training_class,
                status__in=Enrollment.SEAT_STATUSES,
            )
            .select_related("trainee")
            .order_by("trainee__real_name", "pk"),
            empty_label=_("请选择学员"),
            error_messages={
                "required": _("请选择学员。"),
                "invalid_choice": _("该学员不在本班，或已退出。"),
            },
        )
        self.fields["template"] = template_field(training_class)
        self.fields["reason"] = reason_field(
            _("签发原因"),
            _("请填写签发原因。"),
            _("例如：补考合格、补发。会记入证书记录。"),
        )

    def clean(self):
        cleaned = super().clean()
        enrollment, template = cleaned.get("enrollment"), cleaned.get("template")
        if enrollment and template:
            existing = Certificate.objects.filter(
                enrollment=enrollment, template=template
            ).first()
            if existing is not None:
                raise forms.ValidationError(
                    _("%(name)s 已持有这一模板的证书（%(number)s）。")
                    % {"name": enrollment.trainee.real_name, "number": existing.number}
                )
        return cleaned
