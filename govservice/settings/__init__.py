"""Settings for both sites of Cloud Window, read from the environment; one module per responsibility.

``SITE_ROLE`` chooses the site this process runs as:

* ``front``   — citizen portal and service halls (database ``DATABASE_URL``)
* ``central`` — the approval back office (database ``CENTRAL_DATABASE_URL``)

Each role is its own process with its own database and its own user accounts; the two talk only over
signed HTTP (apps/shared/exchange). Every variable is listed with a comment in ``.env.example``.

Where a setting lives:

============== ======================================================================================
core           the role, keys, hosts, the apps a site runs (from the tree), middleware, templates
databases      PostgreSQL: the primary, PgBouncer's transaction pooling, the read replica
queues         Redis: the cache and Celery (broker, acknowledgement, time limits, beat)
wire           where central is, the largest case package
auth           the user model, password rules, lockout after failed sign-ins (axes)
api            REST framework: tokens (knox), authentication, parsers, pagination, the OpenAPI schema
i18n           languages, time zone, formats
files          static files, uploads and their storage (filesystem or S3), request size limits
security       HTTPS, cookies, HSTS, content-security and permissions policies
observability  JSON logs with the request id, the metrics endpoint
rules          rules shared by apps or sites: rate limits, the site name, the audit trail, remedies
channels       e-mail, SMS, the courier; no development backend outside DEV_MODE
============== ======================================================================================

Each app's own business knobs are not here but in its ``conf.py`` (govservice/lib/knobs.py). Later
modules import what they need from the others by name; this package gathers every module's settings.
"""

from .api import *  # noqa: F403
from .auth import *  # noqa: F403
from .channels import *  # noqa: F403
from .core import *  # noqa: F403
from .databases import *  # noqa: F403
from .files import *  # noqa: F403
from .i18n import *  # noqa: F403
from .observability import *  # noqa: F403
from .queues import *  # noqa: F403
from .rules import *  # noqa: F403
from .security import *  # noqa: F403
from .wire import *  # noqa: F403
