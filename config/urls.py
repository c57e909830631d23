"""URL map: public pages, the admin back-office and the REST API."""

from django.contrib import admin
from django.urls import include, path

from coopatlas.api.urls import api

admin.site.site_header = "coopatlas · back-office"
admin.site.site_title = "coopatlas"
admin.site.index_title = "Atlas des partenariats internationaux"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("coopatlas.web.urls")),
]
