"""Back-office for the reference geography."""

from django.contrib import admin

from coopatlas.places.models import Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso2", "name_fr", "name_en", "world_region", "iso3", "numeric"]
    list_filter = ["world_region"]
    search_fields = ["iso2", "iso3", "name_fr", "name_en"]
