"""Template tags of commitments: the "review tindak lanjut" of a meeting (carry-forward)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django import template
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Func, IntegerField, OuterRef, Prefetch
from django.db.models.expressions import RawSQL

from portal.models import Organisation

from ...models import Meeting
from ..models import Commitment, CommitmentUpdate

register = template.Library()

# The review lists this many lines on the meeting page (a phone page stays small); the rest are
# one link away, on the paginated list of the review (my-commitments?review=<meeting>).
REVIEW_LINES = 30
REVIEW_ORDER = ("owner__name", "owner_id", "due_date", "pk")
# The review counts up to this many open commitments; past it the page says "more than N"
# (a busy kabupaten has thousands, and the whole review, with its exact count, is one link away).
REVIEW_COUNT_UP_TO = 1000

# The owners with open commitments agreed in a region's meetings, one index probe each (a loose
# scan of commitment_open_review) rather than reading every commitment to find them. Candidates
# only: each owner's lines are then read through the viewer's scope (Commitment.visible_to).
REVIEW_OWNERS_SQL = """
    WITH RECURSIVE owners(id) AS (
        (SELECT owner_id FROM meetings_commitment
         WHERE meeting_region_id = %s AND status IN ('open', 'in_progress')
         ORDER BY owner_id LIMIT 1)
        UNION ALL
        SELECT (SELECT c.owner_id FROM meetings_commitment c
                WHERE c.meeting_region_id = %s AND c.status IN ('open', 'in_progress')
                      AND c.owner_id > owners.id
                ORDER BY c.owner_id LIMIT 1)
        FROM owners WHERE owners.id IS NOT NULL
    )
    SELECT id FROM owners WHERE id IS NOT NULL
"""


@dataclass
class ReviewLine:
    commitment: Commitment
    status_then: str  # at the end of the previous meeting ("" when there is none)
    updates_since: list[CommitmentUpdate] = field(default_factory=list)

    @property
    def status_then_label(self) -> str:
        return Commitment.Status(self.status_then).label if self.status_then else ""

    @property
    def changed(self) -> bool:
        return self.status_then != self.commitment.status

    @property
    def last_update(self) -> CommitmentUpdate | None:
        return self.updates_since[-1] if self.updates_since else None


@dataclass
class CarryForward:
    previous: Meeting | None
    groups: list[tuple[object, list[ReviewLine]]]
    count: int  # the open commitments under review, shown or not, up to REVIEW_COUNT_UP_TO
    more_than: bool = False  # there are more than `count`

    @property
    def shown(self) -> int:
        return sum(len(lines) for _owner, lines in self.groups)

    @property
    def more(self) -> int:
        """How many are not shown (when the count is exact; see `more_than`)."""
        return self.count - self.shown


@register.simple_tag(takes_context=True)
def carry_forward(context, meeting: Meeting) -> CarryForward:
    """Still-open RTL of earlier meetings of the same TPPS and region, grouped by owner, with
    the status at the previous meeting and the updates since: the first REVIEW_LINES of them, and
    how many there are. Three queries, whatever the size."""
    user = context["request"].user
    previous = (
        Meeting.objects.filter(region_id=meeting.region_id, start__lt=meeting.start)
        .exclude(pk=meeting.pk)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-start")
        .first()
    )
    carried = Commitment.objects.visible_to(user).carried_into(meeting).order_by()
    # The first lines are chosen, and counted, from the commitments alone (and their owners'
    # names, the order): the meetings, people and updates are read for the shown lines only, not
    # for the thousands under review of a busy kabupaten. Sorting all of them by owner would read
    # every one: instead the owners are sorted by name and each one's first lines (by due date,
    # from the index) are read in turn, owner after owner, until there are enough (the owner is
    # in the order so that two bodies of the same name never mix). The count stops past
    # REVIEW_COUNT_UP_TO. One query all the same.
    counted = carried.values("pk")[: REVIEW_COUNT_UP_TO + 1]
    commitments = (
        Commitment.objects.select_related("owner", "pic", "meeting")
        .prefetch_related(Prefetch("updates", queryset=CommitmentUpdate.objects.select_related("author")))
        .order_by(*REVIEW_ORDER)
    )
    if connection.vendor == "postgresql":
        owners = RawSQL(REVIEW_OWNERS_SQL, (meeting.region_id, meeting.region_id))  # noqa: S611 - parameters only
        per_owner = (
            carried.filter(owner=OuterRef("pk")).order_by("due_date", "pk").values("pk")[:REVIEW_LINES]
        )
        first = (
            Organisation.objects.filter(pk__in=owners)
            .order_by("name", "pk")
            .values(line=Func(ArraySubquery(per_owner), function="unnest", output_field=IntegerField()))
        )[:REVIEW_LINES]
        commitments = commitments.filter(pk__in=first).annotate(
            review_total=Func(ArraySubquery(counted), function="cardinality", output_field=IntegerField())
        )
    else:
        # SQLite (the embedded default): the first lines in the same order, and the count, read
        # plainly (no arrays there; a district's data, not a nation's).
        first = carried.order_by(*REVIEW_ORDER).values("pk")[:REVIEW_LINES]
        count_sql, count_params = counted.query.sql_with_params()
        count_sql = f"SELECT COUNT(*) FROM ({count_sql})"  # noqa: S608 - the ORM's SQL
        total = RawSQL(count_sql, count_params, output_field=IntegerField())  # noqa: S611 - the ORM's SQL
        commitments = commitments.filter(pk__in=first).annotate(review_total=total)
    since = previous.end if previous else None
    lines = []
    for commitment in commitments:
        # Recorded after the previous meeting closed: it started open, like every RTL.
        then = commitment.status_at(since) if since else ""
        updates = sorted(commitment.updates.all(), key=lambda u: u.created_at)
        lines.append(
            ReviewLine(
                commitment=commitment,
                status_then=then,
                updates_since=[u for u in updates if since is None or u.created_at > since],
            )
        )
    groups = [(owner, list(items)) for owner, items in groupby(lines, key=lambda line: line.commitment.owner)]
    count = lines[0].commitment.review_total if lines else 0
    return CarryForward(
        previous=previous,
        groups=groups,
        count=min(count, REVIEW_COUNT_UP_TO),
        more_than=count > REVIEW_COUNT_UP_TO,
    )
