from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "coopatlas.alerts"
    label = "alerts"
    verbose_name = "Alertes par e-mail"
    default_auto_field = "django.db.models.BigAutoField"
