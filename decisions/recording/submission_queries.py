"""The written submissions of a meeting, grouped by seat, for the "Information shared" page."""

from __future__ import annotations

from conference.convening.models import Conference
from conference.convening.submission_models import WrittenSubmission
from conference.convening.submissions import find_submissions


def submissions_by_role(conference: Conference) -> dict[str, list[WrittenSubmission]]:
    grouped: dict[str, list[WrittenSubmission]] = {}
    for submission in find_submissions(conference.id):
        grouped.setdefault(submission.role, []).append(submission)
    return grouped
