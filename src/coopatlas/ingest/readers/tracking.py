"""A territory's tracking spreadsheet (CSV or XLSX): one initiative per row, led by an actor of
the territory — a university, an NGO, a company, a hospital, a cultural body — with a partner
abroad. The actor's seat (its commune, or its postcode) ties it to the territory; the category is
one of a study's categories in the atlas (`/imports/modele-suivi.xlsx` lists them).

Consecutive rows with the same `reference` add partners to the same initiative.
"""

from collections.abc import Sequence

from coopatlas.atlas.choices import ACTOR_KINDS, OrganisationKind, ParticipationRole
from coopatlas.core.text import normalise
from coopatlas.ingest import parsing
from coopatlas.ingest.errors import Problem
from coopatlas.ingest.readers.table import TableReader

# The tracking sheet's columns: field → (French description, aliases accepted as headers).
TRACKING_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reference": ("identifiant stable de l'initiative dans votre fichier", ("ref", "id", "identifiant")),
    "acteur": ("l'acteur du territoire qui mène l'initiative", ("actor", "porteur", "structure")),
    "type_acteur": (
        "université, école, association, entreprise, hôpital, chambre, culture, organisme public",
        ("actor_kind", "type de structure"),
    ),
    "commune_acteur": ("commune du siège de l'acteur", ("actor_commune", "commune", "ville de l'acteur")),
    "code_postal_acteur": ("code postal du siège de l'acteur", ("actor_postcode", "code postal", "cp")),
    "adresse_acteur": ("adresse du siège (… 69100 Villeurbanne)", ("actor_address", "adresse")),
    "partenaire": ("l'organisation partenaire à l'étranger", ("partner", "organisation partenaire")),
    "type_partenaire": (
        "université, association, entreprise, collectivité, hôpital, culture, organisme public, réseau",
        ("partner_kind",),
    ),
    "ville_partenaire": ("ville du partenaire", ("partner_town", "ville")),
    "pays_partenaire": ("pays du partenaire", ("partner_country", "pays")),
    "categorie": ("catégorie d'une étude de l'atlas (ex. Formation et savoirs)", ("category", "catégorie")),
    "themes": ("thèmes (codes ou intitulés) séparés par ;", ("thèmes", "thematiques")),
    "forme": ("projet, convention de coopération, accord-cadre, réseau… ; vide : projet", ("form", "type")),
    "etat": ("en cours, terminé, en veille, en projet ; vide : non renseigné", ("status", "état")),
    "annee_debut": ("année de début (2019, « vers 2019 »)", ("start_year", "année", "annee", "depuis")),
    "titre": ("titre de l'initiative (sinon construit)", ("title",)),
    "description": ("description", ("resume", "résumé")),
    "contact_nom": ("nom de la personne à contacter", ("contact",)),
    "contact_courriel": ("courriel de la personne à contacter", ("email", "courriel")),
    "source_url": ("adresse d'une page qui en parle", ("url", "source")),
}
TRACKING_REQUIRED = ("acteur", "partenaire", "pays_partenaire")
SEAT_COLUMNS = ("commune_acteur", "code_postal_acteur", "adresse_acteur")
# Partners named as a city or another authority abroad are foreign authorities.
AUTHORITY_WORDS = {"collectivite", "ville", "commune", "municipalite", "region", "province", "etat"}


class TrackingReader(TableReader):
    fields = TRACKING_FIELDS
    required = TRACKING_REQUIRED

    def _record(self, cells: Sequence[object]) -> dict:
        get = lambda name: self._get(cells, name)  # noqa: E731
        record = self._head(get, "project")
        start, _until, _approximate = parsing.year_span(get("annee_debut"), "annee_debut")
        record["start_year"] = start
        if description := parsing.text(get("description")):
            record["description"] = description
        record["themes"] = [t.strip() for t in parsing.text(get("themes")).split(";") if t.strip()]
        if category := parsing.text(get("categorie")):
            record["categories"] = [category]
        record["participants"] = [{"organisation": self._actor(get), "role": ParticipationRole.COORDINATOR}]
        record["sources"] = []
        if url := parsing.text(get("source_url")):
            record["sources"].append({"url": url, "title": ""})
        contact_name = parsing.text(get("contact_nom"))
        contact_email = parsing.text(get("contact_courriel"))
        if contact_name or contact_email:
            # Kept only by an import allowed to take personal data (--personal-data).
            record["contacts"] = [
                {
                    "organisation": record["participants"][0]["organisation"],
                    "last_name": contact_name or contact_email,
                    "email": contact_email,
                }
            ]
        self._add_lines(record, cells)
        return record

    def _actor(self, get) -> dict:
        name = parsing.text(get("acteur"))
        if not name:
            raise Problem("acteur", "", "acteur du territoire manquant", "territory's actor missing")
        kind = parsing.organisation_kind(get("type_acteur"), "type_acteur", OrganisationKind.OTHER)
        if kind not in ACTOR_KINDS:
            allowed = "université, école, association, entreprise, hôpital, chambre, culture, organisme"
            raise Problem(
                "type_acteur",
                parsing.text(get("type_acteur")),
                f"un acteur du territoire (admis : {allowed}) ; une collectivité va dans le modèle "
                "des partenariats",
                "a territory's actor (university, school, association, company…); an authority goes "
                "in the partnerships template",
            )
        seat = {
            "seat_commune": parsing.text(get("commune_acteur")),
            "seat_postcode": parsing.text(get("code_postal_acteur")),
            "seat_address": parsing.text(get("adresse_acteur")),
        }
        if not any(seat.values()):
            raise Problem(
                "commune_acteur",
                "",
                "siège de l'acteur manquant (commune, code postal ou adresse)",
                "actor's seat missing (commune, postcode or address)",
            )
        return {"name": name, "kind": kind, "country": "FR", **{k: v for k, v in seat.items() if v}}

    def _add_lines(self, record: dict, cells: Sequence[object]) -> None:
        get = lambda name: self._get(cells, name)  # noqa: E731
        name = parsing.text(get("partenaire"))
        if not name:
            if len(record["participants"]) < 2:
                raise Problem("partenaire", "", "partenaire manquant", "partner missing")
            return
        town = parsing.text(get("ville_partenaire"))
        kind_text = parsing.text(get("type_partenaire"))
        if normalise(kind_text) in AUTHORITY_WORDS:
            # A town's authority is named after its town ("Alcaldía de Medellín" is Medellín):
            # the resolver places it, and other actors' partners there meet it.
            organisation, role = parsing.local_authority(
                town or name, get("pays_partenaire"), "pays_partenaire"
            )
            if town and normalise(town) != normalise(name):
                organisation["alternate_names"] = [name]
        else:
            iso2, _territory = parsing.place(get("pays_partenaire"), "pays_partenaire")
            kind = parsing.organisation_kind(kind_text, "type_partenaire", OrganisationKind.OTHER)
            organisation = {"name": name, "kind": kind, "country": iso2}
            if town:
                organisation["admin_area"] = town  # where the partner is: its town
            role = ParticipationRole.ASSOCIATED
        if not any(p["organisation"] == organisation for p in record["participants"]):
            record["participants"].append({"organisation": organisation, "role": role})
