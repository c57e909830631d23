"""The partner exchange board: Villeneuve-d'Ascq seeks a partner in Benin on water; the post is
found by the board's filters and on its map, suggested on Roubaix's page (Roubaix already works in
Benin and on water), answered by Roubaix's editor, and the answer reaches Villeneuve-d'Ascq in
the app."""

import json

import pytest

from coopatlas.atlas.models import BoardAnswer, BoardPost, PartnershipTheme, Theme
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    NORD,
    authority,
    editor_of,
    lyon,
    pair,
    villeneuve_d_ascq,
)


@pytest.fixture
def towns(db):
    villeneuve = villeneuve_d_ascq()
    roubaix = authority("Roubaix", "59512", NORD, HAUTS_DE_FRANCE)
    water = Theme.objects.get(code="eau-assainissement")
    benin = pair(roubaix, "Comè", "BJ", state="published")
    PartnershipTheme.objects.create(partnership=benin, theme=water, priority=0)
    return villeneuve, roubaix, water


def _post(client, villeneuve, water, **extra):
    data = {
        "organisation": villeneuve.pk,
        "kind": "request",
        "title": "Cherche une commune béninoise pour un projet d'eau potable",
        "description": "Forages et gestion de l'eau, avec le « 1 % eau » de la métropole.",
        "countries": ["BJ"],
        "zone": "Afrique de l'Ouest",
        "themes": [water.pk],
        "partner_size": "small",
        "until": "",
        **extra,
    }
    return client.post("/bourse/nouvelle/", data)


def test_a_post_is_found_suggested_and_answered(client, towns):
    villeneuve, roubaix, water = towns
    poster = editor_of(villeneuve, "ri@villeneuvedascq.fr")
    client.force_login(poster)
    answer = _post(client, villeneuve, water)
    post = BoardPost.objects.get()
    assert answer["Location"] == post.get_absolute_url()
    client.logout()

    title = "Cherche une commune béninoise"
    for query, found in (
        ("?pays=BJ", True),
        ("?pays=DE", False),
        (f"?theme={water.pk}", True),
        ("?q=forages", True),
        ("?q=vélo", False),
        ("?kind=offer", False),
    ):
        assert (title in client.get("/bourse/" + query).content.decode()) is found, query
    counts = json.loads(client.get(f"/bourse/pays.json?theme={water.pk}").content)
    assert [(v["iso2"], v["count"]) for v in counts.values()] == [("BJ", 1)]

    page = client.get(roubaix.get_absolute_url()).content.decode()
    assert "Annonces de la bourse qui vous correspondent" in page and title in page
    assert title not in client.get(villeneuve.get_absolute_url()).content.decode()  # not its own

    assert "Connectez-vous pour répondre" in client.get(post.get_absolute_url()).content.decode()
    assert client.post(post.get_absolute_url(), {"message": "anonyme"}).status_code == 302
    assert not BoardAnswer.objects.exists()

    client.force_login(editor_of(roubaix, "international@ville-roubaix.fr"))
    client.post(
        post.get_absolute_url(),
        {"message": "Roubaix travaille avec Comè depuis 2008 : parlons-en.", "organisation": roubaix.pk},
    )
    reply = BoardAnswer.objects.get()
    assert reply.organisation == roubaix and reply.read_at is None

    client.force_login(poster)
    mine = client.get("/mes-partenariats/").content.decode()
    assert "Réponses à vos annonces" in mine and "Roubaix" in mine
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Roubaix travaille avec Comè" in page and "international@ville-roubaix.fr" in page
    reply.refresh_from_db()
    assert reply.read_at is not None
    assert "Réponses à vos annonces" not in client.get("/mes-partenariats/").content.decode()

    client.post(post.get_absolute_url(), {"close": "1"})
    post.refresh_from_db()
    assert not post.is_open
    assert title not in client.get("/bourse/").content.decode()


def test_nobody_posts_for_another_authority_nor_answers_a_closed_post(client, towns):
    villeneuve, roubaix, water = towns
    lyon_town = lyon()
    client.force_login(editor_of(lyon_town, "lyon@example.org"))
    refused = _post(client, villeneuve, water)
    assert refused.status_code == 400 and "organisation" in refused.context["form"].errors
    assert not BoardPost.objects.exists()
    past = _post(client, lyon_town, water, until="2001-01-01")
    assert past.status_code == 400 and "until" in past.context["form"].errors
    client.force_login(editor_of(villeneuve, "ri@villeneuvedascq.fr"))
    _post(client, villeneuve, water)
    post = BoardPost.objects.get()
    client.post(post.get_absolute_url(), {"close": "1"})
    client.force_login(editor_of(roubaix, "r@example.org"))
    assert client.get(post.get_absolute_url()).status_code == 404  # a closed post is not told
    assert client.post(post.get_absolute_url(), {"message": "trop tard"}).status_code == 404
    assert not BoardAnswer.objects.exists()


def test_only_the_posting_authoritys_editors_read_the_answers(client, towns):
    from coopatlas.atlas.services.board import board_answer_add, board_post_create
    from tests.accounts.factories import coordinator_of_region

    villeneuve, roubaix, water = towns
    poster = editor_of(villeneuve, "ri@villeneuvedascq.fr")
    post = board_post_create(
        organisation=villeneuve,
        acting_user=poster,
        kind="request",
        title="Eau au Bénin",
        description="Forages.",
    )
    answerer = editor_of(roubaix, "international@ville-roubaix.fr")
    board_answer_add(post, message="Parlons-en.", organisation=roubaix, acting_user=answerer)
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Parlons-en." not in page and "international@ville-roubaix.fr" not in page
    assert "Clore l" in page  # the territory's coordinator may close it
    assert BoardAnswer.objects.get().read_at is None  # still new for the posting authority
