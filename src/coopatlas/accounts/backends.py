"""Sign in with one's e-mail address (case-insensitive) as well as with a username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Django's model backend, finding the account by its e-mail when the identifier has an @."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or "@" not in username or password is None:
            return None
        users = get_user_model()
        matches = list(users.objects.filter(email__iexact=username.strip())[:2])
        if len(matches) != 1:  # none, or an address two accounts share: no guess
            users().set_password(password)  # the same time as a wrong password (timing)
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
