"""What a browser may load and use on the pages of both sites: the Content-Security-Policy (django-csp) and
the Permissions-Policy (django-permissions-policy), read by settings/security.py. Not secrets, not per deployment: the
same for every site, so they live here rather than in the environment."""

# Scripts and styles only from this site's own static files (no inline script or handler anywhere in the
# templates; tests/shared/test_security_headers.py keeps it so), images also as data: URIs (QR codes,
# charts), frames and forms only to this site. The API docs use drf-spectacular's split Swagger view,
# whose script is a file too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# Powerful browser features: the camera and microphone for this site only (the hall's document camera and
# the remote window), everything else off.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "microphone": ["self"],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "interest-cohort": [],
    "browsing-topics": [],
}
