"""E-mail alerts: what each user chose to receive (models.py), what each kind says for a user
(selection.py), and the daily sending (services.py, `coopatlas send-alerts`): docs/alerts.md."""
