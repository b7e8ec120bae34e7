"""The coordinator's journey: ask, timescale, who, options, place, check, send. The live board's pages are in
``board_views``, the personal-link pages and the machine endpoint for calendar replies in ``link_views``.

Why this module is long: the journey is one sequence of pages on one blueprint, with the small helpers they share
(each view parses its form, calls one service, renders; the services live in ``request``, ``options`` and
``invitations``). Several people are changing these pages at the time of writing, so splitting it further waits
for a quiet moment.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, has_permission, requires
from conference.availability_picture import AvailabilityPicture, build_picture
from conference.cases.involvement import find_agencies_serving
from conference.cases.models import Case
from conference.cases.queries import get_case
from conference.cases.sections import register_case_section
from conference.convening import availability, forms, queries, seats, services
from conference.convening import invitations as convening_invitations
from conference.convening import options as convening_options
from conference.convening import request as convening_request
from conference.convening.forms import moment_fields
from conference.convening.models import Conference, ConferenceStatus
from conference.db import utcnow
from conference.directory.models import Person
from conference.extensions import SOLVE_LIMIT, limiter, user_rate_key
from conference.forms import FormErrors
from rules.timescales import MeetingWindow
from rules.vocabulary import MeetingType, Seat, types_for_nation
from scheduler import RequestError

bp = Blueprint("convening", __name__)
BANNER = "convening_banner"
SEATS_BANNER = "seats_banner"
_UUID_IN_TEXT = re.compile(r"\s*\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)")


def _case_section(case: Case) -> dict[str, Any]:
    return {
        "conferences": queries.find_case_conferences(case),
        "can_convene": has_permission(getattr(g, "user", None), Permission.CONFERENCE_CONVENE),
    }


register_case_section(20, "convening/_case_section.html", _case_section)


def _conference(conference_id: uuid.UUID) -> Conference:
    return queries.get_conference(g.user, conference_id)


def _draft(conference_id: uuid.UUID) -> Conference:
    conference = _conference(conference_id)
    if conference.status is not ConferenceStatus.DRAFT:
        abort(409, "The invitations for this meeting have been sent.")
    return conference


# --- 1. ask for a meeting ------------------------------------------------------------------------


@bp.route("/cases/<uuid:case_id>/conferences/new", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
def new_conference(case_id: uuid.UUID) -> ResponseReturnValue:
    case = get_case(g.user, case_id)
    types = types_for_nation(case.nation)
    form = forms.MeetingTypeForm(types=[t.value for t in types])
    if form.check():
        try:
            conference = convening_request.start_conference(g.user, case, MeetingType(form.meeting_type.data))
        except services.ConveningError as error:
            form.add_error("meeting_type", str(error))
        else:
            return redirect(url_for("convening.timescale", conference_id=conference.id))
    return render_template(
        "convening/new.html", case=case, types=types, chosen=form.meeting_type.data, errors=form.gov_errors
    ), form.status


# --- 2. timescale --------------------------------------------------------------------------------


@bp.route("/conferences/<uuid:conference_id>/timescale", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
def timescale(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _draft(conference_id)
    arrangement = services.arrangement_for(conference)
    form = forms.TimescaleForm()
    values: dict[str, str] = {
        **moment_fields("deadline", conference.deadline_at),
        "duration": str(conference.duration_minutes),
    }
    if form.is_submitted():
        values = form.values()
        earliest_at = max(conference.earliest_start_at or utcnow(), utcnow())
        if form.validate() and form.check_window(earliest_at) and form.deadline_at is not None:
            convening_request.set_window(g.user, conference, earliest_at, form.deadline_at, form.duration_minutes)
            return redirect(url_for("convening.people", conference_id=conference.id))
    window = convening_request.suggested_window(conference.case, conference.meeting_type)
    return render_template(
        "convening/timescale.html",
        conference=conference,
        arrangement=arrangement,
        form=values,
        errors=form.gov_errors,
        window=window if isinstance(window, MeetingWindow) else None,
        window_problem=window if isinstance(window, str) else None,
        pilot_warnings=(
            convening_request.pilot_scope(conference.case)[1]
            if conference.meeting_type is MeetingType.DEVOLVED_NRM_DECISION_PANEL
            else []
        ),
    ), form.status


# --- 3. who is needed ----------------------------------------------------------------------------


def _people_context(conference: Conference) -> dict[str, Any]:
    ids = [c for seat in conference.roles for c in seat.candidate_ids]
    people = availability.people_by_id(ids)
    elsewhere = {seat.id: seats.find_people_elsewhere(seat.role, conference.case) for seat in conference.roles}
    return {
        "people": people,
        "elsewhere": elsewhere,
        "words": availability.availability_words,
        "explanations": {seat.id: seats.seat_explanation(seat, conference.case) for seat in conference.roles},
        "seats_to_add": seats.seats_to_add(conference),
        "seat_agencies": find_agencies_serving(conference.case.local_authority),
        "banner": session.pop(SEATS_BANNER, None),
    }


def _seat_changes(conference: Conference, form: forms.PeopleForm) -> list[convening_request.SeatChange]:
    """Each seat required or optional, written submissions allowed or not (none when one is not answered)."""
    if not form.check_only(form.seat_fields("required")):
        return []
    choices = form.seat_choices()
    return [convening_request.SeatChange(seat.id, *choices[str(seat.id)]) for seat in conference.roles]


def _people_page(conference: Conference, form: forms.PeopleForm) -> ResponseReturnValue:
    return render_template(
        "convening/people.html", conference=conference, errors=form.gov_errors, **_people_context(conference)
    ), form.status


@bp.route("/conferences/<uuid:conference_id>/people", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
@limiter.limit(SOLVE_LIMIT, methods=["POST"], key_func=user_rate_key)  # Continue runs the solver
def people(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _draft(conference_id)
    form = forms.PeopleForm.for_seats(conference.roles)()
    if form.is_submitted():
        action = form.action.data or "continue"
        if action.startswith("up:"):
            return _move_up(conference, action)
        if action.startswith("add:"):
            return _add_person(conference, action, form)
        if action == "seat-add":
            return _add_seat(conference, form)
        if action.startswith("remove:"):
            return _remove_seat(conference, action, form)
        if action == "continue":
            changes = _seat_changes(conference, form)
            if not form.gov_errors:
                convening_request.update_roles(g.user, conference, changes)
                empty = [s for s in conference.roles if s.required and not s.candidate_ids]
                if not any(s.candidate_ids for s in conference.roles if s.required):
                    form.add_error("roles", "Add at least one person to each required role")
                elif empty:
                    for seat in empty:
                        form.add_error(f"required-{seat.id}", f"Add a person to {seat.role.label}, or make it optional")
                else:
                    _find_options(conference)
                    return redirect(url_for("convening.options", conference_id=conference.id))
    return _people_page(conference, form)


def _seat(conference: Conference, value: str) -> Any:
    try:
        seat_id = uuid.UUID(value)
    except ValueError:
        abort(400)
    seat = next((s for s in conference.roles if s.id == seat_id), None)
    if seat is None:
        abort(404)
    return seat


def _move_up(conference: Conference, action: str) -> ResponseReturnValue:
    _, seat_id, person_id = (action.split(":") + ["", ""])[:3]
    seat = _seat(conference, seat_id)
    try:
        convening_request.move_candidate_up(conference, seat, person_id)
    except services.ConveningError:
        abort(400)
    return redirect(url_for("convening.people", conference_id=conference.id) + f"#role-{seat.id}")


def _add_person(conference: Conference, action: str, form: forms.PeopleForm) -> ResponseReturnValue:
    seat = _seat(conference, action.split(":", 1)[1])
    field = f"add-{seat.id}"
    value = form.field_named(field).data
    allowed = {str(p.id): p for p in seats.find_people_elsewhere(seat.role, conference.case)}
    if not allowed:
        abort(400)  # the page offers no one to add for this role
    person = allowed.get(value)
    if person is None:
        form.add_error(field, f"Select a person to add to {seat.role.label}")
    else:
        try:
            convening_request.add_candidate(g.user, conference, seat, person)
        except services.ConveningError as error:
            form.add_error(field, str(error))
    if form.gov_errors:
        return _people_page(conference, form)
    return redirect(url_for("convening.people", conference_id=conference.id) + f"#role-{seat.id}")


def _add_seat(conference: Conference, form: forms.PeopleForm) -> ResponseReturnValue:
    if form.check_only([form.seat_required]):
        try:
            seat = seats.add_seat(
                g.user, conference, form.seat_role.data, form.seat_agency.data, form.seat_required.data == "yes"
            )
        except seats.SeatError as error:
            form.add_error(error.field, str(error))
        else:
            session[SEATS_BANNER] = f"{seat.role.label} seat added"
            return redirect(url_for("convening.people", conference_id=conference.id) + f"#role-{seat.id}")
    return _people_page(conference, form)


def _remove_seat(conference: Conference, action: str, form: forms.PeopleForm) -> ResponseReturnValue:
    seat = _seat(conference, action.split(":", 1)[1])
    changes = _seat_changes(conference, form)
    if not form.gov_errors:
        try:
            role = seats.remove_seat(g.user, conference, seat, changes)
        except seats.SeatError as error:
            form.add_error(error.field, str(error))
        else:
            session[SEATS_BANNER] = f"{role.label} seat removed"
            return redirect(url_for("convening.people", conference_id=conference.id))
    return _people_page(conference, form)


# --- 4. options ----------------------------------------------------------------------------------


def _proposal_views(conference: Conference, proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [str(a.get("person")) for p in proposals for a in p["assignments"].values() if a.get("person")]
    names = {k: v.name for k, v in availability.people_by_id(ids).items()}
    seats = {s.role.value: s for s in conference.roles}
    best = min((p["metrics"]["written_submissions"] for p in proposals), default=0)
    best_index = next((i for i, p in enumerate(proposals) if p["metrics"]["written_submissions"] == best), 0)
    views = []
    for index, proposal in enumerate(proposals):
        lines = []
        for role_value, assignment in proposal["assignments"].items():
            seat = seats.get(role_value)
            label = seat.role.label if seat else convening_options.role_label(role_value)
            person = assignment.get("person")
            if assignment.get("written_submission"):
                lines.append(f"{label}: written submission")
            elif person:
                rank = seat.candidate_ids.index(person) if seat and person in seat.candidate_ids else 0
                lines.append(f"{label}: {names.get(person, 'unknown person')}" + (" (deputy)" if rank else ""))
            else:
                lines.append(f"{label}: nobody (optional)")
        tags = (["Soonest"] if index == 0 else []) + (["Best attended"] if index == best_index else [])
        views.append(
            {
                "index": index,
                "start_at": services.parse_instant(proposal["start"]),
                "end_at": services.parse_instant(proposal["end"]),
                "lines": lines,
                "tags": tags,
                "metrics": proposal["metrics"],
                "explanation": convening_options.in_words(_UUID_IN_TEXT.sub("", str(proposal.get("explanation", "")))),
            }
        )
    return views


def _picture(conference: Conference, proposals: list[dict[str, Any]]) -> AvailabilityPicture | None:
    """The availability picture of the request the options came from (no second solve), or None."""
    request_dict = convening_options.solved_request(conference)
    if request_dict is None:
        return None
    names = {k: str(v["name"]) for k, v in request_dict["people"].items() if v.get("name")}
    role_labels = {s.role.value: s.role.label for s in conference.roles}
    try:
        return build_picture(request_dict, proposals, names=names, role_labels=role_labels, width=960)
    except RequestError:
        current_app.logger.warning("availability picture not drawn for conference %s", conference.id)
        return None


OPTIONS_PROBLEM = "options_problem"


def _find_options(conference: Conference) -> None:
    """Run the scheduler and store its answer (on a POST only: opening the options page solves nothing)."""
    try:
        convening_options.find_options(conference)
    except services.ConveningError as error:
        session[OPTIONS_PROBLEM] = str(error)


@bp.route("/conferences/<uuid:conference_id>/options", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
@limiter.limit(SOLVE_LIMIT, methods=["POST"], key_func=user_rate_key)  # a POST runs the solver
def options(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    if conference.status not in (ConferenceStatus.DRAFT, ConferenceStatus.INVITED):
        abort(409)
    arrangement = services.arrangement_for(conference)
    form = forms.OptionsForm()
    problem = session.pop(OPTIONS_PROBLEM, None)
    values: dict[str, str] = {}
    if form.is_submitted():
        values = form.values()
        if form.action.data == "find":
            _find_options(conference)
            return redirect(url_for("convening.options", conference_id=conference.id))
        if form.action.data == "another":
            if form.check_another(utcnow()) and form.another_at is not None:
                convening_options.choose_time(conference, form.another_at)
                return redirect(url_for("convening.another_time", conference_id=conference.id))
        elif form.check_proposal(len(arrangement.proposals)):
            convening_options.choose_option(conference, int(form.proposal.data))
            return redirect(url_for("convening.place", conference_id=conference.id))
    return _options_page(conference, errors=form.gov_errors, problem=problem, form=values)


def _options_page(
    conference: Conference,
    *,
    errors: FormErrors,
    problem: str | None,
    form: dict[str, str],
    status: int | None = None,
) -> ResponseReturnValue:
    arrangement = services.arrangement_for(conference)
    return render_template(
        "convening/options.html",
        conference=conference,
        arrangement=arrangement,
        picture=_picture(conference, arrangement.proposals),
        unknown=convening_options.unknown_availability(conference),
        proposals=_proposal_views(conference, arrangement.proposals),
        errors=errors,
        problem=problem,
        form=form,
        reasons=[convening_options.in_words(_UUID_IN_TEXT.sub("", r)) for r in arrangement.no_slot_reasons],
        blocked=convening_options.why_no_time(conference),
        on_call_candidates=convening_options.has_on_call_candidates(conference),
        seats={s.role.value: s for s in conference.roles},
    ), status or (400 if errors else 200)


@bp.route("/conferences/<uuid:conference_id>/options/relax", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def relax(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    form = forms.RelaxForm()
    if form.kind.data not in convening_options.RELAXATIONS:
        abort(400)
    try:
        convening_options.relax(g.user, conference, form.kind.data, form.role.data or None)
    except services.ConveningError as error:
        # Refused: the 409 rolls the relaxation back; the page says why, as it was before.
        return _options_page(conference, errors=FormErrors(), problem=str(error), form={}, status=409)
    return redirect(url_for("convening.options", conference_id=conference.id))


@bp.route("/conferences/<uuid:conference_id>/another-time", methods=["GET"])
@requires(Permission.CONFERENCE_CONVENE)
def another_time(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    arrangement = services.arrangement_for(conference)
    if arrangement.chosen_start_at is None:
        return redirect(url_for("convening.options", conference_id=conference.id))
    return render_template("convening/another_time.html", conference=conference, arrangement=arrangement)


# --- venue or video link -------------------------------------------------------------------------


@bp.route("/conferences/<uuid:conference_id>/place", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
def place(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    form = forms.PlaceForm()
    values = {
        "how": "video" if conference.video_link else ("venue" if conference.venue else ""),
        "venue": conference.venue,
        "video_link": conference.video_link,
    }
    if form.is_submitted():
        values = form.values()
        if form.validate():
            problem = _privacy_problem(conference, form.chosen_venue or form.chosen_link)
            if problem:
                form.add_error(form.place_field, problem)
            else:
                convening_invitations.set_place(conference, form.chosen_venue, form.chosen_link)
                return redirect(url_for("convening.check", conference_id=conference.id))
    return render_template(
        "convening/place.html", conference=conference, form=values, errors=form.gov_errors
    ), form.status


def _privacy_problem(conference: Conference, value: str) -> str | None:
    from conference.invitations.privacy import PrivacyError, check_outbound_text

    try:
        check_outbound_text("venue or video link", value, services.withheld_for(conference.case))
    except PrivacyError as error:
        return str(error)
    return None


# --- 5. check answers and send -------------------------------------------------------------------


@bp.route("/conferences/<uuid:conference_id>/check", methods=["GET"])
@requires(Permission.CONFERENCE_CONVENE)
def check(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    arrangement = services.arrangement_for(conference)
    if arrangement.chosen_start_at is None:
        return redirect(url_for("convening.options", conference_id=conference.id))
    if not convening_invitations.location_of(conference):
        return redirect(url_for("convening.place", conference_id=conference.id))
    return render_template(
        "convening/check.html",
        conference=conference,
        arrangement=arrangement,
        previews=convening_invitations.preview(conference),
        problem=session.pop("convening_problem", None),
        notice=convening_options.notice_warning(conference, arrangement.chosen_start_at),
    )


@bp.route("/conferences/<uuid:conference_id>/send", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def send(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    updating = conference.status is ConferenceStatus.INVITED
    try:
        count = convening_invitations.send_invitations_or_nothing(g.user, conference)
    except (services.ConveningError, ValueError) as error:
        session["convening_problem"] = str(error)
        return redirect(url_for("convening.check", conference_id=conference.id))
    session[BANNER] = ("Updates sent" if updating else "Invitations sent") + f" to {count} people"
    return redirect(url_for("convening.board", conference_id=conference.id))


__all__ = ["bp", "Person", "Seat"]
