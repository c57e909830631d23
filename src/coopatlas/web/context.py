"""Template context for every page: what waits for the signed-in user (the header's counter)."""

from django.http import HttpRequest


def waiting_for_me(request: HttpRequest) -> dict:
    """Return `review_waiting`: None for who reviews nothing, else the number of records
    submitted to its review (one count query, for signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from coopatlas.accounts.permissions import REVIEWING_KINDS, scope_of
    from coopatlas.web.review import waiting_for

    if scope_of(user, REVIEWING_KINDS).empty:
        return {}
    return {"review_waiting": waiting_for(user).count()}
