"""Registration pages and API v1 routes, included at the site root by `swap.urls`."""

from django.urls import path

from swap.registrations import api, views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.registered, name="registered"),
    path("status/", views.status, name="status"),
    path("api/v1/registrations/", api.RegistrationCreateView.as_view(), name="api-registrations"),
    path(
        "api/v1/registrations/<str:oxen_address>/",
        api.RegistrationDetailView.as_view(),
        name="api-registration-detail",
    ),
]
