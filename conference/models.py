"""Every model, imported in one place so that Alembic and the tests see the whole schema.

Feature packages add their models module to ``FEATURE_MODEL_MODULES``.
"""

from __future__ import annotations

import importlib
import importlib.util

from conference import audit as _audit  # noqa: F401
from conference.auth import models as _auth  # noqa: F401
from conference.cases import models as _cases  # noqa: F401
from conference.db import Base
from conference.directory import models as _directory  # noqa: F401

FEATURE_MODEL_MODULES = (
    "conference.convening.models",
    "conference.convening.invitation_models",
    "decisions.models",
    "conference.planning.models",
)

for _name in FEATURE_MODEL_MODULES:
    try:
        _found = importlib.util.find_spec(_name) is not None
    except ModuleNotFoundError:
        _found = False
    if _found:
        importlib.import_module(_name)

metadata = Base.metadata
