"""URL map: the portal pages, the versioned REST API and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from swap import admin_login, views
from swap.monitoring import views as monitoring_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/", views.verify, name="verify"),
    path("cannot-sign/", views.cannot_sign, name="cannot-sign"),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", views.api_docs, name="api-docs"),
    path("", include("swap.registrations.urls")),
    path("", include("bonuses.urls")),
    path("", include("swap.distributions.urls")),
    path("", include("claims.urls")),
    path("", include("swap.bundles.urls")),
    # In front of the admin's own login URL: same form and page, a lockout answered 429 (issue 17).
    path("admin/login/", admin_login.login, name="admin-login"),
    path("admin/", admin.site.urls),
]

handler404 = "swap.views.page_not_found"
handler500 = "swap.views.server_error"
