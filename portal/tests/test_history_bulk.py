"""`portal.history.record_created`: the history rows of rows created in bulk, copied by the
database, are the rows django-simple-history's own bulk path writes."""

from __future__ import annotations

import pytest
from simple_history.manager import HistoryManager

from portal import history
from portal.models import Organisation, User

# Set by the database or the moment of writing, not by the source row.
VOLATILE = {"history_id", "history_date"}


def _rows(model, pks, since: int) -> dict:
    rows = model.history.filter(history_id__gt=since, id__in=pks).values()
    return {row["id"]: {k: v for k, v in row.items() if k not in VOLATILE} for row in rows}


def _last_history_id(model) -> int:
    return model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


@pytest.mark.parametrize("model", [Organisation, User], ids=["organisation", "user (excluded fields)"])
def test_the_copied_rows_are_the_rows_simple_history_writes(demo, dppkb, model):
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True)[:5])
    before = _last_history_id(model)
    history.record_created(model, pks, user=dppkb, batch_size=2)
    copied = _rows(model, pks, before)

    before = _last_history_id(model)
    # As simple_history's bulk_create_with_history calls it (no change reason: NULL, as a save).
    model.history.bulk_history_create(
        list(model.objects.filter(pk__in=pks)), default_user=dppkb, default_change_reason=None
    )
    written = _rows(model, pks, before)

    assert len(copied) == 5  # every batch (2, 2, 1) written
    assert copied == written
    assert {row["history_type"] for row in copied.values()} == {"+"}
    assert {row["history_user_id"] for row in copied.values()} == {dppkb.pk}


def test_a_history_model_with_columns_of_its_own_gets_the_library_path(demo, dppkb, monkeypatch):
    # As if simple_history's historical tables had one more column than those copied here.
    monkeypatch.setattr(history, "_HISTORY_OWN", history._HISTORY_OWN - {"history_change_reason"})
    calls = []
    library = HistoryManager.bulk_history_create
    monkeypatch.setattr(
        HistoryManager,
        "bulk_history_create",
        lambda self, objs, **kw: calls.append(objs) or library(self, objs, **kw),
    )
    pks = list(Organisation.objects.values_list("pk", flat=True)[:3])
    before = _last_history_id(Organisation)

    history.record_created(Organisation, pks, user=dppkb)

    rows = _rows(Organisation, pks, before)
    assert [sorted(obj.pk for obj in objs) for objs in calls] == [sorted(pks)]
    assert set(rows) == set(pks)
    assert {row["history_user_id"] for row in rows.values()} == {dppkb.pk}


def test_nothing_is_written_when_history_is_switched_off(demo, dppkb, settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    pks = list(Organisation.objects.values_list("pk", flat=True)[:3])
    before = _last_history_id(Organisation)

    history.record_created(Organisation, pks, user=dppkb)

    assert _last_history_id(Organisation) == before
