"""Back-office for the reference geography."""

from django.contrib import admin

from coopatlas.places.models import Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    """Countries are reference data (ISO 3166, loaded by `load-reference`): read-only here but for
    superusers, whose edit a later load may overwrite."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    list_display = ["iso2", "name_fr", "name_en", "world_region", "iso3", "numeric"]
    list_filter = ["world_region"]
    search_fields = ["iso2", "iso3", "name_fr", "name_en"]
