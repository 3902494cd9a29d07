"""Bundle routes under /api/v1/rounds/<n>/, included at the site root by `swap.urls`."""

from django.urls import path

from swap.bundles import api

urlpatterns = [
    path("api/v1/rounds/<int:number>/bundle.tar.gz", api.bundle_archive, name="api-round-bundle"),
    path("api/v1/rounds/<int:number>/bundle/<path:path>", api.bundle_file, name="api-round-bundle-file"),
    path("api/v1/rounds/<int:number>/chain.json", api.chain_json, name="api-round-chain"),
]
