from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "discussions"
    verbose_name = _("Diskussioner")

    def ready(self):
        # Django 6.1's empty choice of a select ("- Select an option -") is not in
        # its Swedish and Norwegian catalogues yet, so it showed in English on
        # Swedish pages: ours is in our catalogue. Django's own place for it.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("- Välj ett alternativ -")
