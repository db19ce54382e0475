"""Burden on the grassroots on the pages: the overlap window and the dashboard's inspection
frequency table (its own partial, fed here so the dashboard's view stays as it is)."""

from __future__ import annotations

from web.auth import actor
from web.pages import bp
from web.uow import get_uow
from workflow.services.inspection_burden import FrequencyTable, inspection_frequency


@bp.app_template_global("burden_days")
def burden_days() -> int:
    """How many days either side of an inspection count as overlapping."""
    return get_uow().burden_policy.overlap_days


@bp.app_template_global("inspection_frequency")
def frequency_table() -> FrequencyTable:
    """Inspections per unit the user may see in the recent period, flagged above the threshold."""
    uow = get_uow()
    return inspection_frequency(uow.session, actor(), uow.today(), uow.burden_policy)
