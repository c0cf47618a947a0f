"""Who may see whose work: a trainee their own, an instructor their cohorts', an admin all."""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .auth.models import User
from .cohorts.models import CohortInstructor, CohortMember


def instructs(session: Session, viewer: User, cohort_id: int) -> bool:
    """The viewer runs this cohort (or is an admin)."""
    if viewer.is_admin:
        return True
    if not viewer.is_instructor:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    CohortInstructor.cohort_id == cohort_id, CohortInstructor.user_id == viewer.id
                )
            )
        )
    )


def may_see_work_of(session: Session, viewer: User, trainee_id: int) -> bool:
    """The trainee themselves, an admin, or an instructor of a cohort the trainee is in."""
    if viewer.id == trainee_id or viewer.is_admin:
        return True
    if not viewer.is_instructor:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    CohortMember.user_id == trainee_id,
                    CohortMember.cohort_id == CohortInstructor.cohort_id,
                    CohortInstructor.user_id == viewer.id,
                )
            )
        )
    )
