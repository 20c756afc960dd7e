from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0003_group_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="discussion",
            name="projector_view",
            field=models.CharField(
                choices=[
                    ("timer", "Tid"),
                    ("results", "Rangordning"),
                    ("areas", "Saknade områden"),
                    ("activities", "Aktiviteter"),
                    ("reasons", "Motiveringar"),
                ],
                default="timer",
                max_length=12,
                verbose_name="projektorns vy",
            ),
        ),
        migrations.AddField(
            model_name="discussion",
            name="projector_page",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="projektorns sida"),
        ),
        migrations.AddField(
            model_name="discussion",
            name="projector_names",
            field=models.BooleanField(default=False, verbose_name="visa namn på projektorn"),
        ),
        migrations.AddField(
            model_name="discussion",
            name="projector_shown",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
