"""The web service: a Flask application factory and one blueprint per concern.

``create_app(settings=None)`` builds the app; nothing is created at import time. The
dataset is the release in ``settings.data`` (default ``data/kg/``). Query evaluation
happens in worker processes (allianceskg.sparql.pool), started here from a clean
process before the server starts.
"""

from __future__ import annotations

from flask import Flask
from allianceskg.settings import Settings, defaults
from allianceskg.web.state import ServiceState, load_state


def create_app(settings: Settings | None = None) -> Flask:
    """Build the service for ``settings`` (the table's defaults when None)."""
    settings = settings or defaults()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.ensure_ascii = False
    state: ServiceState = load_state(settings)
    app.extensions["allianceskg"] = state

    from allianceskg.web import errors, graphstore, ops, protocol, reconcile
    from allianceskg.web.ui import pages, review

    errors.init_app(app)
    ops.init_app(app)
    pages.init_app(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(protocol.blueprint)
    app.register_blueprint(graphstore.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(reconcile.blueprint)
    if settings.review:
        app.register_blueprint(review.blueprint)
    return app


__all__ = ["create_app"]
