"""The partner exchange board ("bourse aux partenariats"): posts by those who keep an authority's
records, answers by any signed-in person, read inside the app by the posting authority."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coopatlas.accounts.permissions import may, require
from coopatlas.atlas.models import BoardAnswer, BoardPost, Organisation, Theme
from coopatlas.atlas.services import Provenance, _save
from coopatlas.places.models import Country


@transaction.atomic
def board_post_create(
    *,
    organisation: Organisation,
    acting_user: AbstractBaseUser | None,
    countries: Iterable[Country] = (),
    themes: Iterable[Theme] = (),
    **fields,
) -> BoardPost:
    """Post on the board for an authority whose records the actor keeps; return the post."""
    require(acting_user, "board_post", organisation)
    if fields.get("until") is not None and fields["until"] < timezone.localdate():
        raise ValidationError({"until": "La date de fin de l'annonce est déjà passée."})
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    post = _save(
        BoardPost(organisation=organisation, author=user, **fields),  # type: ignore[misc]  # (Django's User)
        Provenance(acting_user),
    )
    post.countries.set(list(countries))
    post.themes.set(list(themes))
    return post


@transaction.atomic
def board_post_close(post: BoardPost, *, acting_user: AbstractBaseUser | None) -> BoardPost:
    """Close a post (found, or no longer wanted): it leaves the board, its answers stay."""
    require(acting_user, "board_post", post.organisation)
    post.is_open = False
    return _save(post, Provenance(acting_user, reason="Annonce close"))


@transaction.atomic
def board_answer_add(
    post: BoardPost,
    *,
    message: str,
    acting_user: AbstractBaseUser | None,
    organisation: Organisation | None = None,
) -> BoardAnswer:
    """Answer a current post, possibly on behalf of an authority one keeps; return the answer."""
    require(acting_user, "board_answer", post)
    if not post.is_current:
        raise ValidationError({"message": "Cette annonce est close : on ne peut plus y répondre."})
    if organisation is not None and not may(acting_user, "board_post", organisation):
        raise ValidationError({"organisation": f"Vous ne pouvez pas répondre au nom de « {organisation} »."})
    if organisation is not None and organisation.pk == post.organisation_id:
        raise ValidationError({"organisation": "Une collectivité ne répond pas à sa propre annonce."})
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    answer = BoardAnswer(
        post=post,
        author=user,  # type: ignore[misc]  # (the project's user model is Django's User)
        organisation=organisation,
        message=message.strip(),
    )
    return _save(answer, Provenance(acting_user))


def board_answers_read(post: BoardPost, *, acting_user: AbstractBaseUser | None) -> int:
    """Mark the post's answers read when someone who keeps its authority's records reads them."""
    if not may(acting_user, "board_post", post.organisation):
        return 0
    return post.answers.filter(read_at__isnull=True).update(read_at=timezone.now())
