"""Default windows that depend on decisions: the ICPC anchor (Working Together 2023) and the devolved panel's
anchor (the NRM referral, devolved decision-making pilot)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from conference.convening.models import Conference, ConferenceStatus
from conference.convening.request import suggested_window
from conference.extensions import db
from decisions.models import NrmReferral
from rules.timescales import (
    PANEL_CALENDAR_DAYS,
    MeetingWindow,
    calendar_day_deadline_on,
    close_of_business_at,
    london_date,
    working_day_deadline_on,
)
from rules.vocabulary import MeetingType, Nation
from tests.integration.decisions.support import make_world, record_everything, sign_off


def _conference(case_id, meeting_type: MeetingType, start_at: datetime, status=ConferenceStatus.INVITED) -> None:
    db.session.add(
        Conference(
            case_id=case_id,
            reference=f"MTG-{secrets.token_hex(2).upper()}",
            meeting_type=meeting_type,
            nation=Nation.ENGLAND,
            status=status,
            start_at=start_at,
            ical_uid=secrets.token_hex(12),
        )
    )
    db.session.commit()


def test_icpc_counts_from_the_held_strategy_discussion_that_started_s47__working_together_2023(client, factories):
    world = make_world(factories)
    unsigned = suggested_window(world.case, MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE)
    assert isinstance(unsigned, str)
    assert "no strategy discussion held so far has started section 47 enquiries" in unsigned
    factories.sign_in(client, world.chair)
    record_everything(client, world)  # the outcome starts section 47 enquiries
    assert sign_off(client, world).status_code == 302
    # A later strategy discussion, invited but not yet held, must not move the anchor.
    _conference(world.case.id, MeetingType.STRATEGY_DISCUSSION, datetime.now(UTC) + timedelta(days=2))
    db.session.refresh(world.conference)
    window = suggested_window(world.case, MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE)
    assert isinstance(window, MeetingWindow)
    due_on = working_day_deadline_on(london_date(world.conference.start_at), 15, Nation.ENGLAND)
    assert window.deadline_at == close_of_business_at(due_on)


def test_panel_counts_from_the_nrm_referral_not_the_pre_referral_meeting__devolved_pilot(client, factories):
    world = make_world(factories)
    _conference(world.case.id, MeetingType.PRE_REFERRAL_NRM_MEETING, datetime.now(UTC) - timedelta(days=20))
    referred_on = date.today() - timedelta(days=3)
    db.session.add(NrmReferral(case_id=world.case.id, answers={}, referred_on=referred_on))
    db.session.commit()
    window = suggested_window(world.case, MeetingType.DEVOLVED_NRM_DECISION_PANEL)
    assert isinstance(window, MeetingWindow)
    assert window.deadline_at == close_of_business_at(calendar_day_deadline_on(referred_on, PANEL_CALENDAR_DAYS))


def test_panel_refused_for_an_age_disputed_child_with_a_message__devolved_pilot_scope(client, factories):
    """Age-disputed children leave the devolved pilot (pilot guidance, June 2023): asking for a panel is refused
    on the page with a message that says what to do; nothing is created."""
    world = make_world(factories)
    world.case.age_disputed = True
    db.session.commit()
    factories.sign_in(client, factories.user(world.social_care))  # a coordinator
    path = f"/cases/{world.case.id}/conferences/new"
    from tests.integration.decisions.support import form_fields

    before = db.session.query(Conference).filter_by(case_id=world.case.id).count()
    page = client.post(path, data={**form_fields(client, path), "meeting_type": "devolved_nrm_decision_panel"})
    assert page.status_code == 400
    assert "age is disputed" in page.get_data(as_text=True)
    assert db.session.query(Conference).filter_by(case_id=world.case.id).count() == before


def test_panel_sign_off_refused_when_the_chair_is_the_social_worker__devolved_pilot_chair_rule(factories):
    """The chair must not be the child's lead social worker (pilot guidance as summarised by YJLC)."""
    from decisions.models import DecisionRecord
    from decisions.sign_off.services import sign_off_problems
    from rules.vocabulary import CHAIR_IS_LEAD_SOCIAL_WORKER, Seat

    world = make_world(
        factories,
        meeting_type=MeetingType.DEVOLVED_NRM_DECISION_PANEL,
        roles=(Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH, Seat.GUARDIAN),
    )
    record = DecisionRecord(conference_id=world.conference.id, case_id=world.case.id, sections={})
    db.session.add(record)
    world.conference.chair_person_id = world.people[Seat.CHAIR].id
    db.session.commit()
    assert CHAIR_IS_LEAD_SOCIAL_WORKER not in [p.message for p in sign_off_problems(world.conference, record)]
    world.conference.chair_person_id = world.people[Seat.SOCIAL_CARE].id
    db.session.commit()
    assert CHAIR_IS_LEAD_SOCIAL_WORKER in [p.message for p in sign_off_problems(world.conference, record)]


def test_icpc_outcome_page_asks_for_the_category_of_abuse__working_together_2023(client, factories):
    from rules.vocabulary import Seat
    from tests.integration.decisions.support import post, url

    world = make_world(
        factories,
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        roles=(Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH),
    )
    factories.sign_in(client, world.chair)
    page = client.get(url(world, "/outcome"))
    assert page.status_code == 200
    assert "Category of abuse" in page.get_data(as_text=True)
    missing = post(
        client,
        url(world, "/outcome"),
        {"outcome": "child_protection_plan", "rationale": "Risk is high.", "suspected_of_offences": "no"},
    )
    assert missing.status_code == 400
    assert "Select the category of abuse" in missing.get_data(as_text=True)
    saved = post(
        client,
        url(world, "/outcome"),
        {
            "outcome": "child_protection_plan",
            "category": "neglect",
            "rationale": "Risk is high.",
            "suspected_of_offences": "no",
        },
    )
    assert saved.status_code == 302
