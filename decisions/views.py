"""The decisions blueprint, with every route attached: the chair's journey lives in decisions/recording (the
record's sections), decisions/sign_off (check answers, sign-off, versions, amendments, minutes PDF),
decisions/nrm (the referral and tracker on the case) and decisions/actions (the action plan). Each of their
``views`` modules registers its routes on the one blueprint ``bp`` (decisions/blueprint.py) when imported here;
conference/__init__.py registers ``decisions.views.bp``."""

from __future__ import annotations

from decisions.actions import views as _actions_views  # noqa: F401  (routes attach to bp)
from decisions.blueprint import bp
from decisions.nrm import views as _nrm_views  # noqa: F401
from decisions.recording import autosave_views as _autosave_views  # noqa: F401
from decisions.recording import submission_views as _submission_views  # noqa: F401
from decisions.recording import views as _recording_views  # noqa: F401
from decisions.sign_off import facts_views as _facts_views  # noqa: F401
from decisions.sign_off import views as _sign_off_views  # noqa: F401

__all__ = ["bp"]
