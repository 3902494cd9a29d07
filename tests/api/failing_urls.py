"""The site's URLs plus one API view and one middleware-free path that fail, to see how a 500 looks."""

from django.urls import path
from rest_framework.views import APIView

from swap.urls import urlpatterns as site_urlpatterns


class Explodes(Exception):
    pass


class ExplodingView(APIView):
    def get(self, request):
        raise Explodes("secret internals: /srv/app/settings.py line 12")


def exploding_plain_view(request):
    raise Explodes("secret internals of a plain view")


urlpatterns = [
    path("api/v1/explode/", ExplodingView.as_view()),
    path("api/v1/explode-plain/", exploding_plain_view),
    *site_urlpatterns,
]
