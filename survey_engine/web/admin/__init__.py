"""Administration: the accounts and sites of the centre (read-only here; accounts are written
in the centre file)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from dialer.db import transaction
from dialer.models import Role, Site, User, Workstation
from survey_engine.web.access import allow
from survey_engine.web.services import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow(Role.ADMIN)
def index() -> str:
    """Users with their roles, sites with their workstations."""
    with transaction(services().engine) as session:
        users = [(user.login, user.role.value, user.active)
                 for user in session.scalars(select(User).order_by(User.login))]
        sites = [(site.code, site.name, [w.network for w in session.scalars(
            select(Workstation).where(Workstation.site_id == site.id)
            .order_by(Workstation.network))])
            for site in session.scalars(select(Site).order_by(Site.code))]
    return render_template("admin/index.html", users=users, sites=sites)
