"""Syncing a cohort from its LMS course's roster (NRPS), for every LMS course linked to it."""

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import keys, nrps
from .links import roster_sources

log = logging.getLogger("coursekit.lti")


@dataclass(frozen=True)
class SourceResult:
    issuer: str
    context_id: str
    members: int
    summary: nrps.SyncSummary | None
    error: str | None = None


def sync_cohort_roster(session: Session, cohort_id: int, timeout: float) -> list[SourceResult]:
    """Read each linked LMS course's roster and add its people to the cohort. One LMS that
    does not answer does not stop the others: its error is reported with the results."""
    results = []
    for source in roster_sources(session, cohort_id):
        try:
            roster, summary = nrps.sync_from_platform(
                session,
                cohort_id,
                source.platform,
                keys.current_key(session),
                source.memberships_url,
                timeout=timeout,
            )
        except Exception as error:  # the LMS's failure, whatever it is, is reported
            session.rollback()
            log.warning(
                "roster sync of cohort %d from %s failed: %s",
                cohort_id,
                source.platform.issuer,
                error,
            )
            results.append(
                SourceResult(source.platform.issuer, source.context_id, 0, None, str(error)[:300])
            )
            continue
        log.info(
            "roster sync of cohort %d from %s: %d members, %d learners and %d instructors added",
            cohort_id,
            source.platform.issuer,
            len(roster.members),
            summary.learners_added,
            summary.instructors_added,
        )
        results.append(
            SourceResult(source.platform.issuer, source.context_id, len(roster.members), summary)
        )
    return results
