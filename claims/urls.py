"""Claim pages and API v1 routes, included at the site root by `swap.urls`."""

from django.urls import path

from claims import api, views

urlpatterns = [
    path("claims/", views.open_claim_page, name="claims"),
    path("claims/<uuid:claim_id>/", views.claim_detail, name="claim-detail"),
    path("api/v1/claims/", api.ClaimCreateView.as_view(), name="api-claims"),
    path("api/v1/claims/<uuid:claim_id>/", api.ClaimDetailView.as_view(), name="api-claim-detail"),
]
