"""Public pages."""

from django.urls import path

from coopatlas.web import accounts, countries, dashboards, extraction, imports, jobs, places, search, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", search.search, name="search"),
    path("partenariats/", search.search, name="partnership_list"),
    path("partenariats/<int:pk>/", views.partnership_detail, name="partnership"),
    path("partenariats/<int:pk>/fiche.pdf", views.partnership_pdf, name="partnership_pdf"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("connexion/", accounts.SignInView.as_view(), name="sign_in"),
    path("deconnexion/", accounts.SignOutView.as_view(), name="sign_out"),
    path("sources/", views.data_sources, name="sources"),
    path("pays/<str:iso2>/", countries.country_detail, name="country"),
    path("carte/pays.json", countries.countries_json, name="countries_json"),
    path("carte/", places.atlas_map, name="map"),
    path("carte/lieux.geojson", places.places_geojson, name="places_geojson"),
    path("lieux/a-verifier/", places.places_review, name="places_review"),
    path("lieux/a-verifier/<int:pk>/", places.places_review_choose, name="places_review_choose"),
    path("imports/", imports.imports, name="imports"),
    path("imports/apercu/", imports.import_preview, name="import_preview"),
    path("imports/confirmer/<int:pk>/", imports.import_confirm, name="import_confirm"),
    path("imports/colonnes/<int:pk>/", imports.import_columns, name="import_columns"),
    path("imports/<int:pk>/annuler/", imports.import_undo, name="import_undo"),
    path("imports/modele.xlsx", imports.import_template, name="import_template"),
    path("taches/<int:pk>/", jobs.job_detail, name="job"),
    path("taches/<int:pk>/etat/", jobs.job_status, name="job_status"),
    path("exporter/", imports.export_view, name="export"),
    path("extraction/", extraction.extraction_form, name="extraction"),
    path("extraction/<int:pk>/", extraction.extraction_review, name="extraction_review"),
    path("extraction/candidat/<int:pk>/", extraction.extraction_decide, name="extraction_decide"),
    path("tableau-de-bord/", dashboards.dashboard, name="dashboard"),
    path("tableau-de-bord/pays.json", dashboards.dashboard_countries, name="dashboard_countries"),
    path("tableau-de-bord/donnees/<slug:figure>.csv", dashboards.dashboard_csv, name="dashboard_csv"),
    path("tableau-de-bord/reseau/", dashboards.network_view, name="network"),
    path("tableau-de-bord/veille/", dashboards.watch_lists, name="watch"),
    path("tableau-de-bord/veille/<slug:name>.csv", dashboards.watch_list_csv, name="watch_csv"),
]
