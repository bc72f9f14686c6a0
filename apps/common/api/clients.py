"""Which requests come from an API client (a machine token), without `common` importing `accounts`.

The token authentication puts the client object in ``request.auth``; a client class marks itself with the class
attribute ``is_api_client = True`` (``apps.accounts.models.ApiClient`` does) and offers ``has_scope(scope)``.
Session users have ``request.auth`` None.
"""


def api_client_of(request):
    """The API client behind ``request`` (``request.auth``), or None for a session user."""
    auth = getattr(request, "auth", None)
    return auth if getattr(type(auth), "is_api_client", False) is True else None


def is_api_client(request) -> bool:
    return api_client_of(request) is not None
