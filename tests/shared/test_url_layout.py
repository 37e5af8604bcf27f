"""Every app's routes are in its own urls.py / urls_api.py; the site's urls modules only include them."""

import sys
from types import ModuleType

from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver


def _app_of(module_name: str) -> str | None:
    parts = module_name.split(".")
    return ".".join(parts[:3]) if parts[0] == "apps" and len(parts) > 3 else None


def _origin(urlconf, lists: dict[int, str]) -> str:
    if isinstance(urlconf, ModuleType):
        return urlconf.__name__
    if isinstance(urlconf, str):
        return urlconf
    return lists.get(id(urlconf), "")


def test_each_app_view_is_routed_by_its_own_app():
    root = get_resolver()
    assert root.url_patterns  # imports every urls module first
    # Lists of patterns included directly (e.g. accounts' register_urlpatterns) are named by their module.
    lists = {
        id(value): name
        for name, module in list(sys.modules.items())
        if name.startswith(("apps.", "govservice.urls")) and name.rsplit(".", 1)[-1].startswith("urls")
        for value in vars(module).values()
        if isinstance(value, list)
    }
    misplaced = []

    def walk(resolver: URLResolver, origin: str, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue  # routes each ModelAdmin adds for itself, not a urls module's
                walk(entry, _origin(entry.urlconf_name, lists) or origin, prefix + str(entry.pattern))
                continue
            assert isinstance(entry, URLPattern)
            view_app = _app_of(getattr(entry.callback, "__module__", ""))
            if view_app and _app_of(origin) != view_app:
                misplaced.append(f"{prefix}{entry.pattern} ({view_app}) routed from {origin}")

    walk(root, str(root.urlconf_name), "/")
    assert misplaced == []


def routes(entries, prefix=""):
    """Every route below ``entries``, as the text of its patterns joined (``api/v1/appointments/<str:code>/``)."""
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def test_the_api_comes_first_and_no_page_route_could_take_its_paths():
    """The site's urls put ``api/v1/`` first (the busiest paths resolve at once); that changes no route only
    while no other top-level route can match a path under ``/api/v1/``: every one starts with other text."""
    from django.urls import resolve

    root = get_resolver()
    first, *others = root.url_patterns
    assert str(first.pattern) == "api/v1/"

    for route in routes(others):
        assert not route.startswith(("api/v1", "<", "^(?P", "^api/v1")), route
    assert resolve("/api/v1/auth/token/").url_name == "api-token" and resolve("/").url_name == "home"
