"""Public pages."""

from django.urls import path

from coopatlas.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("partenariats/", views.partnership_list, name="partnership_list"),
    path("partenariats/<int:pk>/", views.partnership_detail, name="partnership"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("sources/", views.data_sources, name="sources"),
]
