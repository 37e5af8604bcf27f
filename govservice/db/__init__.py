"""The site's PostgreSQL backend (``ENGINE: govservice.db``): Django's, with a cheaper health check (base.py)."""
