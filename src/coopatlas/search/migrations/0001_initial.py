import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("atlas", "0004_french_area_codes")]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("partnership", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                    related_name="search_document", serialize=False, to="atlas.partnership")),
                ("text", models.TextField(verbose_name="texte indexé")),
                ("stemmed", models.TextField(verbose_name="racines indexées")),
            ],
            options={"verbose_name": "document de recherche", "verbose_name_plural": "documents de recherche"},
        ),
    ]
