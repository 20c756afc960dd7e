# The projector's view of the activities per recommendation and table (issue 25,
# coverage): a new choice only, no constraint in the database.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0008_table_answer"),
    ]

    operations = [
        migrations.AlterField(
            model_name="discussion",
            name="projector_view",
            field=models.CharField(
                choices=[
                    ("timer", "Tid"),
                    ("results", "Rangordning"),
                    ("areas", "Saknade områden"),
                    ("activities", "Aktiviteter"),
                    ("reasons", "Motiveringar"),
                    ("coverage", "Täckning"),
                ],
                default="timer",
                max_length=12,
                verbose_name="projektorns vy",
            ),
        ),
    ]
