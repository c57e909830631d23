"""URL map: public pages, the admin back-office and the REST API."""

from django.contrib import admin
from django.urls import include, path

from coopatlas.api.urls import api
from coopatlas.web import errors

admin.site.site_header = "coopatlas · back-office"
admin.site.site_title = "coopatlas"
admin.site.index_title = "Atlas des partenariats internationaux"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", errors.favicon),
    path("", include("coopatlas.web.urls")),
]

# Error pages in the site's layout (templates 400, 403, 404, 500.html); 403 and 404 are Django's
# own handlers, which render their template with the request.
handler400 = "coopatlas.web.errors.bad_request"
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "coopatlas.web.errors.server_error"
