"""URL map: the portal pages, the versioned REST API and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from swap import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("swap.registrations.urls")),
    path("", include("bonuses.urls")),
    path("", include("swap.distributions.urls")),
    path("", include("claims.urls")),
    path("", include("swap.bundles.urls")),
    path("admin/", admin.site.urls),
]
