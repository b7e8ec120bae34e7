"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``.

A served process warms the scheduling engine in a background thread at start-up (``conference.warmup``);
CLI commands such as ``flask --app wsgi db upgrade`` load this module too and do not.
"""

from conference import create_app
from conference.warmup import serving, start_solver_warm_up

app = create_app()

if serving():
    start_solver_warm_up(app)
