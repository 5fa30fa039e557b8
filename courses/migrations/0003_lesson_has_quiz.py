from django.db import migrations, models

BATCH = 500


def mark_lessons_with_a_quiz(apps, schema_editor):
    """has_quiz for the lessons that exist already, from each body's raw JSON (as
    LessonPage.body_has_quiz reads it; later saves keep it up to date)."""
    LessonPage = apps.get_model("courses", "LessonPage")
    with_quiz = [
        lesson.pk
        for lesson in LessonPage.objects.only("body").iterator()
        if any(item["type"] == "quiz" for item in lesson.body.raw_data)
    ]
    for start in range(0, len(with_quiz), BATCH):
        LessonPage.objects.filter(pk__in=with_quiz[start : start + BATCH]).update(
            has_quiz=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_roles_and_workflow"),
    ]

    operations = [
        migrations.AddField(
            model_name="lessonpage",
            name="has_quiz",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="含测验"
            ),
        ),
        migrations.RunPython(mark_lessons_with_a_quiz, migrations.RunPython.noop),
    ]
