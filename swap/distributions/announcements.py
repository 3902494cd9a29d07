"""`/announcements.atom`: the program's announcements as an Atom feed (RFC 4287), newest first.

Today one kind: each program end the distributor holds (`swap.chain.program_end`), the first and
every later move of it. A holder's feed reader learns the deadline without visiting the portal.
Database only; entries never change once published (their id is the end time on the chain).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from swap.chain.models import ProgramEndAnnouncement
from swap.chain.program_end import announcements, closes_at

FEED_SIZE = 50


def _when(unix: int) -> str:
    return f"{datetime.fromtimestamp(unix, UTC):%Y-%m-%d %H:%M} UTC"


class AnnouncementsFeed(Feed):
    feed_type = Atom1Feed
    title = "Session Token swap: announcements"
    subtitle = "The program's end and every change of it, as the distributor contract holds it."

    def link(self) -> str:
        return reverse("home")

    def items(self) -> list[ProgramEndAnnouncement]:
        return announcements()[:FEED_SIZE]

    def item_title(self, item: ProgramEndAnnouncement) -> str:
        return f"The program ends {_when(item.end_time)}"

    def item_description(self, item: ProgramEndAnnouncement) -> str:
        return (f"Claim your SESH before {_when(item.end_time)}. Coin claims and registrations close "
                f"{_when(closes_at(item.end_time))}, when the final round is frozen; deposits after that are not "
                f"credited. After the end, whatever was not claimed goes to the Staking Reward Pool. "
                f"Distributor {item.distributor} (chain id {item.chain_id}), endTime {item.end_time}.")

    def item_link(self, item: ProgramEndAnnouncement) -> str:
        return f"{reverse('home')}#program-end-{item.end_time}"

    def item_guid(self, item: ProgramEndAnnouncement) -> str:
        return f"tag:program-end,{item.chain_id}:{item.distributor}:{item.end_time}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: ProgramEndAnnouncement) -> datetime:
        return item.announced_at

    def item_updateddate(self, item: ProgramEndAnnouncement) -> datetime:
        return item.announced_at

