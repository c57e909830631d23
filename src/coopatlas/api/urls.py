"""The REST API, version 1: one NinjaAPI instance with a router per resource."""

from ninja import NinjaAPI

from coopatlas.api import errors
from coopatlas.api.extraction import router as extraction_router
from coopatlas.api.imports import router as imports_router
from coopatlas.api.insights import router as insights_router
from coopatlas.api.organisations import router as organisations_router
from coopatlas.api.partnerships import router as partnerships_router


class AtlasAPI(NinjaAPI):
    """The API, whose schema documents the error answers that no view returns itself."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return errors.document(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = AtlasAPI(
    title="coopatlas API",
    version="1",
    description=(
        "L'atlas des partenariats internationaux des collectivités françaises : lecture, exports, "
        "et imports pour les utilisateurs autorisés. The atlas of French local authorities' "
        "international partnerships: read, export, and import for authorised users. "
        'Les listes répondent {"count": N, "results": [...]}. Personal data is never served.'
    ),
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("/partnerships", partnerships_router)
api.add_router("/organisations", organisations_router)
api.add_router("", imports_router)
api.add_router("", insights_router)
api.add_router("", extraction_router)
