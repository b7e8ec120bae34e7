"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from __future__ import annotations

from conference import audit as _audit  # noqa: F401
from conference.auth import models as _auth  # noqa: F401
from conference.cases import fact_models as _case_facts  # noqa: F401
from conference.cases import models as _cases  # noqa: F401
from conference.convening import invitation_models as _invitations  # noqa: F401
from conference.convening import models as _convening  # noqa: F401
from conference.convening import submission_models as _submissions  # noqa: F401
from conference.db import Base
from conference.directory import models as _directory  # noqa: F401
from conference.outbox import models as _outbox  # noqa: F401
from conference.planning import models as _planning  # noqa: F401
from conference.safety import models as _safety  # noqa: F401
from decisions import models as _decisions  # noqa: F401

metadata = Base.metadata
