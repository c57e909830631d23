"""Template context for every page: what waits for the signed-in user (the header's counter)."""

from django.http import HttpRequest


def waiting_for_me(request: HttpRequest) -> dict:
    """Return `review_waiting`: nothing for who keeps no record, else the number of records
    submitted to its review and of corrections proposed on its records (two count queries, for
    signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from coopatlas.accounts.permissions import EDITING_KINDS, scope_of
    from coopatlas.web.review import proposals_for, sent_back_to, waiting_for

    if scope_of(user, EDITING_KINDS).empty:
        return {}
    waiting = waiting_for(user).count() + proposals_for(user).count() + sent_back_to(user).count()
    return {"review_waiting": waiting}
