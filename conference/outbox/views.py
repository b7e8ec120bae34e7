"""The platform outbox's development page: the mail catcher's messages (``/dev/mail``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires

bp = Blueprint("outbox", __name__)


# --- development: the mail catcher's messages ----------------------------------------------------


@bp.route("/dev/mail", methods=["GET"])
@requires(Permission.USERS_MANAGE)  # every user's reset links are here: administrators only, even in development
def dev_mail() -> ResponseReturnValue:
    if not current_app.config["SETTINGS"].is_development:
        abort(404)
    from conference import mailcatcher

    return render_template("convening/dev_mail.html", messages=mailcatcher.list_messages(limit=50))
