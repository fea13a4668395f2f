"""Flask extensions, created unbound and initialised by the app factory."""

from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
