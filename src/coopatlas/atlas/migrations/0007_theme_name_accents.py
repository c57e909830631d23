"""Theme names with their accents and French capitals, for databases loaded before the fix
(`coopatlas load-reference` writes them for new ones)."""

from django.db import migrations

CORRECTED = {
    "culture-patrimoine": "Culture et patrimoine",
    "economie-durable": "Économie durable",
    "education-social-recherche": "Éducation, social et recherche",
    "environnement-climat-energie": "Environnement, climat et énergie",
    "economie-circulaire": "Économie circulaire",
    "gouvernance-democratie": "Gouvernance et démocratie locale",
}


def correct_theme_names(apps, schema_editor):
    theme = apps.get_model("atlas", "Theme")
    for code, name in CORRECTED.items():
        theme.objects.filter(code=code).update(name_fr=name)


class Migration(migrations.Migration):
    dependencies = [
        ("atlas", "0006_web_urls_http_only"),
    ]

    operations = [migrations.RunPython(correct_theme_names, migrations.RunPython.noop)]
