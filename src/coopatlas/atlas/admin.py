"""Back-office: the Django admin in French, with history on every record."""

from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from coopatlas.accounts.permissions import EDITING_KINDS, is_administrator, may, scope_of
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import (
    Contact,
    DiplomaticPost,
    EuropeanProject,
    Event,
    FundingLine,
    ImportBatch,
    NetworkMembership,
    Organisation,
    OrganisationMerge,
    Participation,
    Partnership,
    PartnershipMerge,
    PartnershipTheme,
    Programme,
    Source,
    Study,
    StudyCategory,
    SustainableDevelopmentGoal,
    Theme,
    Volunteer,
)
from coopatlas.atlas.rules import NO_FRENCH_PARTICIPANT, has_french_side
from coopatlas.atlas.selectors import funding_summary
from coopatlas.atlas.services import note_change, partnership_save, record_delete
from coopatlas.atlas.services.workflow import partnership_move, partnerships_publish
from coopatlas.core.formatting import format_euros as euros

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _PartnershipTotals(TypedDict):
    """What the partnership list's queryset adds to each row."""

    _foreign: int
    _funding: Decimal | None


class _OrganisationTotals(TypedDict):
    _partnerships: int


class HistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin, with its history list free of inline styles (the site's CSP)."""

    object_history_list_template = "atlas/admin/object_history_list.html"


class ParticipationFormSet(BaseInlineFormSet):
    """Refuse to save a partnership left without a French local authority."""

    def clean(self) -> None:
        super().clean()
        kept = [
            data
            for data in (getattr(form, "cleaned_data", None) or {} for form in self.forms)
            if data and not data.get("DELETE") and data.get("organisation") is not None
        ]
        if not has_french_side(
            (d.get("role"), d["organisation"].kind, d["organisation"].country_id) for d in kept
        ):
            raise ValidationError(NO_FRENCH_PARTICIPANT)


class ParticipationInline(admin.TabularInline):
    model = Participation
    formset = ParticipationFormSet
    extra = 0
    min_num = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "note", "position"]


class PartnershipThemeInline(admin.TabularInline):
    model = PartnershipTheme
    extra = 0
    autocomplete_fields = ["theme"]


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0
    autocomplete_fields = ["funder"]
    fields = [
        "funder",
        "funder_label",
        "amount",
        "water_one_percent_amount",
        "year",
        "kind",
        "recipient_country",
    ]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["organisation", "last_name", "first_name", "function", "email", "phone", "legal_basis"]
    autocomplete_fields = ["organisation"]


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ["year", "month", "day", "end_year", "kind", "title", "description"]
    fk_name = "partnership"


class OrganisationEventInline(EventInline):
    fk_name = "organisation"


class VolunteerInline(admin.TabularInline):
    model = Volunteer
    extra = 0
    autocomplete_fields = ["assigned_entity"]


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0


BACK_OFFICE = "Back-office"


class AtlasTeamWrites:
    """The back-office's writes, for the atlas team: adding, changing and deleting ask
    accounts.permissions (administrators; Django's model permissions still open the pages);
    each saved row carries the user and the reason (note_change, read by simple-history); a
    deletion goes through the record_delete service. Every registered ModelAdmin has it (a test
    checks); partnerships, which editors and coordinators keep too, have PartnershipAdminWrites."""

    def has_add_permission(self, request, *args) -> bool:
        return super().has_add_permission(request, *args) and is_administrator(request.user)  # type: ignore[misc]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and is_administrator(request.user)  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and may(request.user, "record_delete")  # type: ignore[misc]

    def save_model(self, request, obj, form, change) -> None:
        note_change(obj, user=request.user, reason=BACK_OFFICE)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_formset(self, request, form, formset, change) -> None:
        for row in formset.forms:
            if row.instance is not None:
                note_change(row.instance, user=request.user, reason=BACK_OFFICE)
        formset.save()

    def delete_model(self, request, obj) -> None:
        record_delete(obj, acting_user=request.user, reason=BACK_OFFICE)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            record_delete(obj, acting_user=request.user, reason=BACK_OFFICE)


class PartnershipAdminWrites(AtlasTeamWrites):
    """The back-office's writes of partnerships through the atlas services: each change asks
    accounts.permissions (the object's scope), the partnership is saved by partnership_save and
    its publication state moved by the workflow; the inlines' rows carry the author and reason;
    a deletion goes through record_delete. A non-administrator sees its scope only."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.within(scope_of(request.user, EDITING_KINDS))

    def has_change_permission(self, request, obj=None) -> bool:
        # Editors and coordinators change their scope's records (not only the atlas team).
        allowed = admin.ModelAdmin.has_change_permission(self, request, obj)  # type: ignore[arg-type]
        return allowed and (obj is None or may(request.user, "partnership_edit", obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if not is_administrator(request.user):
            fields.append("publication_state")
        return fields

    def save_model(self, request, obj, form, change) -> None:
        # The state the form asks for (administrators only: for others the field is read-only),
        # kept on the instance (one ModelAdmin serves every thread) until the inlines are saved.
        wanted = obj.publication_state if is_administrator(request.user) else None
        partnership_save(obj, acting_user=request.user, reason=BACK_OFFICE)
        obj._wanted_state = wanted

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        partnership = form.instance
        wanted = getattr(partnership, "_wanted_state", None)
        if wanted and wanted != partnership.publication_state:
            partnership_move(partnership, wanted, acting_user=request.user, comment=BACK_OFFICE)

    @admin.action(description="Publier la sélection (ce que votre rôle permet)")
    def publish_selected(self, request, queryset) -> None:
        outcome = partnerships_publish(queryset.order_by("pk"), acting_user=request.user)
        self.message_user(  # type: ignore[attr-defined]
            request, f"{outcome.published} partenariat(s) publié(s), {len(outcome.refused)} refusé(s)."
        )


@admin.register(Partnership)
class PartnershipAdmin(PartnershipAdminWrites, HistoryAdmin):
    list_display = [
        "title_short",
        "form",
        "status",
        "start_year",
        "signature_year",
        "foreign_count",
        "funding_total_display",
        "publication_state",
        "updated_at",
    ]
    list_filter = ["publication_state", "form", "status", "is_triennial", "themes__parent", "programme"]
    actions = ["publish_selected"]
    search_fields = ["title", "summary", "participations__organisation__name"]
    date_hierarchy = None
    filter_horizontal = ["sdgs", "extra_countries"]
    readonly_fields = ["funding_overview", "created_at", "updated_at"]
    inlines = [
        ParticipationInline,
        PartnershipThemeInline,
        FundingLineInline,
        ContactInline,
        EventInline,
        VolunteerInline,
        SourceInline,
    ]
    fieldsets = [
        (None, {"fields": ["title", "form", "status", "publication_state", "programme"]}),
        (
            "Dates",
            {
                "fields": [
                    ("signature_year", "signature_date"),
                    "start_year",
                    ("end_date", "duration_months"),
                    "is_triennial",
                    "last_verified_on",
                ]
            },
        ),
        (
            "Contenu",
            {
                "fields": [
                    "summary",
                    "context",
                    "history_text",
                    "objectives_local",
                    "objectives_france",
                    "description",
                ]
            },
        ),
        ("Classement", {"fields": ["sdgs", "extra_countries"]}),
        ("Financement", {"fields": ["funding_overview"]}),
        ("Suivi", {"fields": ["note", "external_ref", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _foreign=Count(
                    "participations",
                    filter=Q(participations__role=ParticipationRole.FOREIGN_AUTHORITY),
                    distinct=True,
                ),
                _funding=Sum("funding_lines__amount"),
            )
        )

    @admin.display(description="titre", ordering="title")
    def title_short(self, obj: Partnership) -> str:
        return obj.title if len(obj.title) <= 80 else obj.title[:77] + "…"

    @admin.display(description="coll. étrangères", ordering="_foreign")
    def foreign_count(self, obj: "WithAnnotations[Partnership, _PartnershipTotals]") -> int:
        return obj._foreign

    @admin.display(description="financement", ordering="_funding")
    def funding_total_display(self, obj: "WithAnnotations[Partnership, _PartnershipTotals]") -> str:
        return euros(obj._funding) if obj._funding is not None else "—"

    @admin.display(description="totaux")
    def funding_overview(self, obj: Partnership) -> str:
        if not obj.pk:
            return "—"
        summary = funding_summary(obj)
        if not summary.lines:
            return "Aucune ligne de financement."
        per_year = format_html_join(
            ", ", "{} : {}", ((year, euros(amount)) for year, amount in summary.by_year.items())
        )
        return format_html(
            "<strong>{}</strong> en {} lignes, {} financeurs — par année : {}",
            euros(summary.total),
            len(summary.lines),
            summary.funder_count,
            per_year,
        )


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    fk_name = "member"
    extra = 0
    autocomplete_fields = ["network"]
    verbose_name = "réseau dont l'organisation est membre"
    verbose_name_plural = "réseaux dont l'organisation est membre"


@admin.register(Organisation)
class OrganisationAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "insee_code",
        "population",
        "place_status",
        "partnership_count",
    ]
    list_filter = ["place_status", "kind", "foreign_level", "country__world_region", "country"]
    search_fields = ["name", "acronym", "normalized_name", "insee_code", "siren"]
    autocomplete_fields = ["parent", "country"]
    inlines = [NetworkMembershipInline, OrganisationEventInline]
    readonly_fields = ["created_at", "updated_at", "place_reason", "candidates_display"]
    actions = ["locate_again"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "kind", "foreign_level", "country", "admin_area", "parent"]}),
        (
            "Identifiants",
            {"fields": ["insee_code", "seat_code", "siren", "geonames_id", "wikidata_id", "external_ref"]},
        ),
        (
            "Lieu",
            {
                "fields": [
                    "place_status",
                    "place_reason",
                    "candidates_display",
                    "population",
                    ("latitude", "longitude"),
                    "alternate_names",
                ]
            },
        ),
        ("Autres", {"fields": ["website", "note", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("country")
            .annotate(_partnerships=Count("participations__partnership", distinct=True))
        )

    @admin.display(description="partenariats", ordering="_partnerships")
    def partnership_count(self, obj: "WithAnnotations[Organisation, _OrganisationTotals]") -> int:
        return obj._partnerships

    @admin.display(description="lieux candidats")
    def candidates_display(self, obj: Organisation) -> str:
        if not obj.place_candidates:
            return "—"
        return format_html_join(
            format_html("<br>"),
            "{} ({}, {}, {}) — {}",
            (
                (
                    c["name"],
                    c["kind"],
                    c["country_iso2"],
                    c.get("admin2") or c.get("admin1") or "—",
                    c["reason"],
                )
                for c in obj.place_candidates
            ),
        )

    @admin.action(description="Relancer la localisation (sauf choix manuels)")
    def locate_again(self, request, queryset):
        from coopatlas.atlas.localisation import organisations_locate

        counts = organisations_locate(queryset, redo=True)
        self.message_user(request, ", ".join(f"{k} : {v}" for k, v in sorted(counts.items())))


@admin.register(Theme)
class ThemeAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["name_fr", "level", "parent", "tag", "code"]
    list_filter = ["level", "tag"]
    search_fields = ["name_fr", "name_en", "code"]


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["number", "name_fr", "name_en"]


@admin.register(Contact)
class ContactAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = ["__str__", "function", "organisation", "email", "legal_basis", "last_confirmed_on"]
    list_filter = ["legal_basis"]
    search_fields = ["last_name", "first_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "partnership"]


@admin.register(Event)
class EventAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = ["when", "title", "kind", "partnership", "organisation"]
    list_filter = ["kind"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["partnership", "organisation"]


@admin.register(FundingLine)
class FundingLineAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = ["funder_name", "amount", "water_one_percent_amount", "year", "kind", "partnership"]
    list_filter = ["year", "kind"]
    search_fields = ["funder__name", "funder_label", "partnership__title"]
    autocomplete_fields = ["funder", "partnership"]


@admin.register(Volunteer)
class VolunteerAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = ["__str__", "scheme", "mission", "partnership"]
    list_filter = ["scheme"]
    search_fields = ["last_name", "first_name", "mission"]
    autocomplete_fields = ["partnership", "assigned_entity"]


@admin.register(DiplomaticPost)
class DiplomaticPostAdmin(AtlasTeamWrites, HistoryAdmin):
    list_display = ["name", "country", "correspondent_status", "counsellor_status"]
    list_filter = ["correspondent_status", "counsellor_status"]
    search_fields = ["name", "country__name_fr"]
    autocomplete_fields = ["country", "correspondent", "counsellor"]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["member", "network", "since_year", "is_founder"]
    list_filter = ["network", "is_founder"]
    search_fields = ["member__name", "network__name"]
    autocomplete_fields = ["member", "network"]


@admin.register(EuropeanProject)
class EuropeanProjectAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["name", "programme", "start_year", "end_year"]
    search_fields = ["name", "programme"]
    filter_horizontal = ["participants"]


@admin.register(Programme)
class ProgrammeAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["name", "operator"]
    search_fields = ["name"]
    autocomplete_fields = ["operator"]


@admin.register(OrganisationMerge)
class OrganisationMergeAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["merged_at", "removed_name", "survivor", "reason", "merged_by", "undone_at"]
    readonly_fields = [
        "survivor",
        "removed_id",
        "removed_name",
        "snapshot",
        "moved",
        "reason",
        "merged_at",
        "merged_by",
        "undone_at",
    ]
    actions = ["undo"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Annuler les fusions choisies")
    def undo(self, request, queryset):
        from coopatlas.atlas.services.merges import organisations_merge_undo

        done = 0
        for record in queryset.filter(undone_at__isnull=True):
            organisations_merge_undo(record, acting_user=request.user)
            done += 1
        self.message_user(request, f"{done} fusion(s) annulée(s).")


@admin.register(PartnershipMerge)
class PartnershipMergeAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["merged_at", "removed_title", "survivor", "reason", "merged_by", "undone_at"]
    readonly_fields = [
        "survivor",
        "removed_id",
        "removed_title",
        "snapshot",
        "moved",
        "reason",
        "merged_at",
        "merged_by",
        "undone_at",
    ]
    actions = ["undo"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Annuler les fusions choisies")
    def undo(self, request, queryset):
        from coopatlas.atlas.services.merges import partnerships_merge_undo

        done = 0
        for record in queryset.filter(undone_at__isnull=True):
            partnerships_merge_undo(record, acting_user=request.user)
            done += 1
        self.message_user(request, f"{done} fusion(s) annulée(s).")


@admin.register(ImportBatch)
class ImportBatchAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["started_at", "source", "file_name", "created_by", "finished_at"]
    list_filter = ["source_kind"]
    readonly_fields = ["started_at"]

    @admin.display(description="source", ordering="source_kind")
    def source(self, batch: ImportBatch) -> str:
        return batch.source_label


class StudyCategoryInline(admin.TabularInline):
    model = StudyCategory
    extra = 0
    filter_horizontal = ["themes"]


@admin.register(Study)
class StudyAdmin(AtlasTeamWrites, admin.ModelAdmin):
    list_display = ["title", "territory", "initiatives_count", "actors_count", "countries_count"]
    inlines = [StudyCategoryInline]
    filter_horizontal = ["highlighted_countries"]
    autocomplete_fields = ["territory", "author"]
