"""Service Node Bonus pages and API v1 routes, included at the site root by `swap.urls`."""

from django.urls import path

from bonuses import api, published, views

urlpatterns = [
    path("bonus/", views.leaderboard, name="bonus-leaderboard"),
    path("api/v1/bonus-inputs.csv", published.BonusInputsView.as_view(), name="api-bonus-inputs"),
    path("api/v1/bonus-snapshots.csv", published.BonusSnapshotsView.as_view(), name="api-bonus-snapshots"),
    path("api/v1/rounds/<int:number>/bonus-inputs.csv", published.RoundBonusInputsView.as_view(),
         name="api-round-bonus-inputs"),
    path("api/v1/rounds/<int:number>/bonus-snapshots.csv", published.RoundBonusSnapshotsView.as_view(),
         name="api-round-bonus-snapshots"),
    path("api/v1/bonus/<str:oxen_address>/", api.BonusDetailView.as_view(), name="api-bonus-detail"),
]
