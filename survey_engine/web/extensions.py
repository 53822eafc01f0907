"""Flask extensions, created unbound here and bound to an application by
:func:`survey_engine.web.create_app` (STYLE 2): CSRF protection on every form (Flask-WTF),
interface translations (Flask-Babel), and the security headers with a strict
Content-Security-Policy (Flask-Talisman)."""

from __future__ import annotations

from flask_babel import Babel
from flask_talisman import Talisman
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
talisman = Talisman()

#: Scripts, styles, images and forms from this server only; no inline script or style, no
#: plugins, no framing, no <base>.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
