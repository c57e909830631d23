"""Public pages."""

from django.urls import path

from coopatlas.web import countries, places, search, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("recherche/", search.search, name="search"),
    path("partenariats/", search.search, name="partnership_list"),
    path("partenariats/<int:pk>/", views.partnership_detail, name="partnership"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("sources/", views.data_sources, name="sources"),
    path("pays/<str:iso2>/", countries.country_detail, name="country"),
    path("carte/pays.json", countries.countries_json, name="countries_json"),
    path("carte/", places.atlas_map, name="map"),
    path("carte/lieux.geojson", places.places_geojson, name="places_geojson"),
    path("lieux/a-verifier/", places.places_review, name="places_review"),
    path("lieux/a-verifier/<int:pk>/", places.places_review_choose, name="places_review_choose"),
]
