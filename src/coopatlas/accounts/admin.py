"""Back-office of roles and invitations, for the atlas team (administrators)."""

from django.contrib import admin

from coopatlas.accounts.models import Invitation, Role
from coopatlas.accounts.permissions import is_administrator


class AdministratorsOnly:
    def has_view_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user)

    def has_module_permission(self, request) -> bool:
        return is_administrator(request.user)


@admin.register(Role)
class RoleAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = [
        "user",
        "kind",
        "organisation",
        "region",
        "departement",
        "may_publish",
        "review_published_edits",
    ]
    list_filter = ["kind", "region", "may_publish", "review_published_edits"]
    search_fields = ["user__email", "user__username", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Invitations are sent from /comptes/inviter/ (the link is in the e-mail only); here they
    are read and, if need be, withdrawn."""

    list_display = [
        "email",
        "kind",
        "organisation",
        "region",
        "departement",
        "invited_by",
        "expires_at",
        "accepted_at",
    ]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request, *args) -> bool:
        return False
