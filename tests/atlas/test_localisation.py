"""Organisations of the atlas are tied to their real place."""

import pytest

from coopatlas.atlas.localisation import organisation_locate, organisation_place_choose, organisations_locate
from coopatlas.atlas.models import Organisation
from coopatlas.core.geo import distance_km
from coopatlas.places.gazetteer import Place

pytestmark = pytest.mark.django_db

# Where the demo atlas's local authorities really are: INSEE codes for French ones, and for
# foreign ones their centre (from general knowledge) within 20 km.
FRENCH = {
    "Lyon": "69123",
    "Clermont-Ferrand": "63113",
    "Grande-Synthe": "59271",
    "Villeneuve-d'Ascq": "59009",
    "Boulogne-Billancourt": "92012",
    "Hauts-de-France": "32",
}
FOREIGN = {
    "Birmingham": (52.48, -1.90),
    "Neukölln": (52.48, 13.44),
    "Pančevo": (44.87, 20.64),
    "Ra'anana": (32.18, 34.87),
    "Guang'an": (30.47, 106.63),
    "Gomel": (52.43, 30.98),
    "Santiago de Querétaro": (20.59, -100.39),
    "Bad-Kreuznach": (49.84, 7.87),
    "Karlsruhe": (49.01, 8.40),
    "Lexington": (33.98, -81.24),
    "Greenville": (34.85, -82.40),
    "Anderson": (34.50, -82.65),
    "Norman": (35.22, -97.44),
    "Montréal": (45.50, -73.57),
    "Bridgewater": (44.38, -64.52),
    "Sidi Ifni": (29.38, -10.17),
    "Tanguiéta": (10.62, 1.27),
    "Sousse": (35.83, 10.64),
    "Irving": (32.81, -96.95),
    "Hammersmith & Fulham": (51.49, -0.22),
    "Marino": (41.77, 12.66),
    "Zaanstad": (52.45, 4.81),
    "Anderlecht": (50.84, 4.31),
    "Chennai": (13.08, 80.27),
    "Maebashi": (36.39, 139.06),
    "Rayong": (12.68, 101.27),
    "Oyem": (1.60, 11.58),
    "Cuneo": (44.39, 7.55),
    "Pirot": (43.15, 22.59),
    "Salford": (53.49, -2.29),
    "Shanghai": (31.23, 121.47),
    "Guarulhos": (-23.46, -46.53),
    "Bangkok": (13.75, 100.50),
}


def test_demo_organisations_all_resolved_to_the_right_place(resolver, demo_atlas):
    """Every local authority of the demo atlas gets its right place; networks and companies none."""
    # when
    counts = organisations_locate()
    # then
    assert counts.get("unresolved", 0) == 0 and counts.get("ambiguous", 0) == 0
    for organisation in Organisation.objects.all():
        if organisation.is_french_authority or organisation.kind == "foreign_authority":
            assert organisation.place_status == "resolved", (organisation.name, organisation.place_reason)
            assert organisation.latitude is not None
        else:
            assert organisation.place_status == "not_a_place"
    for name, insee_code in FRENCH.items():
        assert Organisation.objects.get(name=name).insee_code == insee_code, name
    for name, (lat, lon) in FOREIGN.items():
        organisation = Organisation.objects.get(name=name)
        distance = distance_km(lat, lon, organisation.latitude, organisation.longitude)
        assert distance < 20, f"{name} placed {distance:.0f} km away ({organisation.place_reason})"
    oblast = Organisation.objects.get(name="Oblast de Dnipropetrovsk")
    assert 47 < oblast.latitude < 49.5


def test_unresolvable_authority_is_flagged_with_the_reason(resolver):
    """A name no gazetteer knows is flagged unresolved, kept, and says why."""
    organisation = Organisation.objects.create(
        name="Zorglubville", kind="foreign_authority", country_id="DE", foreign_level="municipality"
    )
    result = organisation_locate(organisation, resolver=resolver)
    organisation.refresh_from_db()
    assert result.status == "unresolved" == organisation.place_status
    assert "aucun lieu" in organisation.place_reason and organisation.latitude is None


def test_district_placed_at_its_town_gets_the_point_not_the_town_codes(resolver):
    """ "Prague 6 (Prague)" gets Prague's point, not Prague's GeoNames id: two districts placed so
    must not look like one place to the duplicate finder."""
    organisation = Organisation.objects.create(
        name="Prague 6 (Prague)", kind="foreign_authority", country_id="CZ", foreign_level="district"
    )
    result = organisation_locate(organisation, resolver=resolver)
    organisation.refresh_from_db()
    assert result.status == "resolved" == organisation.place_status
    assert distance_km(organisation.latitude, organisation.longitude, 50.088, 14.421) < 10
    assert organisation.geonames_id is None
    assert "inconnu de l'index" in organisation.place_reason


def test_ambiguous_authority_lists_candidates_and_a_choice_sticks(resolver):
    """An ambiguous name keeps its candidates; a person's choice is never overwritten."""
    # given
    organisation = Organisation.objects.create(name="Saint-Denis", kind="commune", country_id="FR")
    organisation_locate(organisation, resolver=resolver)
    organisation.refresh_from_db()
    assert organisation.place_status == "ambiguous" and len(organisation.place_candidates) >= 2
    # when
    reunion = next(c for c in organisation.place_candidates if c["insee_code"] == "97411")
    organisation_place_choose(organisation, candidate=reunion)
    organisation_locate(organisation, resolver=resolver)
    # then
    organisation.refresh_from_db()
    assert organisation.place_status == "manual" and organisation.insee_code == "97411"


def test_a_french_place_picked_by_hand_gives_its_departement_and_region(resolver):
    """Saint-Denis (93) picked for one record, and given to its waiting homonym, brings the
    département and région the coordinators of Seine-Saint-Denis and Île-de-France reach."""
    # given
    picked, homonym = (
        Organisation.objects.create(name=name, kind="commune", country_id="FR", external_ref=name)
        for name in ("Saint-Denis", "St-Denis")
    )
    for organisation in (picked, homonym):
        organisation_locate(organisation, resolver=resolver)
        organisation.refresh_from_db()
    candidate = next(c for c in picked.place_candidates if c["insee_code"] == "93066")
    # when
    choice = organisation_place_choose(picked, candidate=candidate)
    # then
    assert choice.also_placed == [homonym]
    for organisation in (picked, homonym):
        organisation.refresh_from_db()
        assert (organisation.departement_code, organisation.region_code) == ("93", "11"), organisation
    # the code stays with the first record: the second is a duplicate for `coopatlas dedupe`
    assert (picked.insee_code, homonym.insee_code) == ("93066", "")


def test_choosing_a_place_in_another_country_is_refused():
    """A candidate from another country cannot be picked."""
    organisation = Organisation.objects.create(name="Paris", kind="commune", country_id="FR")
    texas = Place(name="Paris", kind="city", country_iso2="US", latitude=33.66, longitude=-95.55).as_dict()
    with pytest.raises(ValueError, match="US"):
        organisation_place_choose(organisation, candidate=texas)


def test_places_review_page_lets_staff_pick_a_candidate(admin_client_fr, resolver):
    """The review page lists ambiguous organisations and records the candidate picked."""
    organisation = Organisation.objects.create(name="Saint-Denis", kind="commune", country_id="FR")
    organisation_locate(organisation, resolver=resolver)
    organisation.refresh_from_db()
    html = admin_client_fr.get("/lieux/a-verifier/").content.decode()
    assert "Saint-Denis" in html and "Seine-Saint-Denis" in html
    index = next(i for i, c in enumerate(organisation.place_candidates) if c["insee_code"] == "93066")
    response = admin_client_fr.post(f"/lieux/a-verifier/{organisation.pk}/", {"candidate": str(index)})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.insee_code == "93066" and organisation.place_status == "manual"
    bad = admin_client_fr.post(f"/lieux/a-verifier/{organisation.pk}/", {"candidate": "99"}, follow=True)
    assert "Choix invalide" in bad.content.decode()


def test_places_review_page_is_for_staff_only(client):
    """Anonymous visitors are sent to the login page."""
    assert client.get("/lieux/a-verifier/").status_code == 302


def test_map_geojson_lists_located_organisations(client, resolver, demo_atlas):
    """The map's GeoJSON holds, at street level, a point per located organisation of the published atlas."""
    organisations_locate()
    data = client.get("/carte/lieux.geojson", {"zoom": 12}).json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert {"Boulogne-Billancourt", "Neukölln", "Gomel", "Tanguiéta"} <= names
    assert all(-180 <= f["geometry"]["coordinates"][0] <= 180 for f in data["features"])
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    around = client.get("/carte/lieux.geojson", {"organisation": boulogne.pk, "zoom": 12}).json()
    assert len(around["features"]) == 11
    assert client.get("/carte/lieux.geojson", {"organisation": "x"}).status_code == 400
