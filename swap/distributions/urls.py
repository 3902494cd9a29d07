"""Distribution routes under /api/v1/ and the announcements feed, included at the site root by `swap.urls`."""

from django.urls import path

from swap.distributions import api
from swap.distributions.announcements import AnnouncementsFeed

urlpatterns = [
    path("api/v1/proofs/<str:eth_address>/", api.ProofView.as_view(), name="api-proof"),
    path("api/v1/payout-requests/", api.PayoutRequestView.as_view(), name="api-payout-requests"),
    path("api/v1/rounds/", api.RoundListView.as_view(), name="api-rounds"),
    path("api/v1/rounds/<int:number>/dump.json", api.RoundDumpView.as_view(), name="api-round-dump"),
    path("api/v1/rounds/<int:number>/entries.csv", api.RoundCsvView.as_view(), name="api-round-csv"),
    path("announcements.atom", AnnouncementsFeed(), name="announcements-feed"),
]
