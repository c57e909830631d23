"""Load the demo atlas: the facts of the five seed pages, written in our own words.

Idempotent: every record carries an external reference "demo:…", and what already exists is
left alone, so `coopatlas load-demo` can run on every start.
"""

import datetime
from dataclasses import asdict
from decimal import Decimal

from django.db import transaction

from coopatlas.atlas import services
from coopatlas.atlas.choices import ContactStatus, EventKind, FundingKind, ParticipationRole
from coopatlas.atlas.demo.contacts import EMBASSY_POSTS, LYON_CONTACT, RIVM_CONTACTS
from coopatlas.atlas.demo.organisations import (
    GOMEL_NOTE,
    ORGANISATIONS,
    RIVM_ADMIN_AREAS,
    RIVM_ALTERNATE_NAMES,
    RIVM_PARTNERS,
    rivm_ref,
)
from coopatlas.atlas.models import (
    DiplomaticPost,
    EuropeanProject,
    Organisation,
    Partnership,
    Programme,
    Study,
    StudyCategory,
    Theme,
)
from coopatlas.atlas.services import FundingSpec, ParticipantSpec
from coopatlas.atlas.services.imports import diplomatic_post_create

FRENCH, FOREIGN, ASSOCIATED, COORDINATOR = (
    ParticipationRole.FRENCH_AUTHORITY,
    ParticipationRole.FOREIGN_AUTHORITY,
    ParticipationRole.ASSOCIATED,
    ParticipationRole.COORDINATOR,
)
PREFIX = "demo:"


class DemoLoader:
    """Create the demo records that do not exist yet, remembering organisations by reference."""

    def __init__(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        self.created = 0

    # --- helpers ------------------------------------------------------------------------------
    def org(self, ref: str) -> Organisation:
        if ref not in self.orgs:
            existing = Organisation.objects.filter(external_ref=PREFIX + ref).first()
            if existing is None:
                data = asdict(ORGANISATIONS[ref])
                existing = services.organisation_create(
                    name=data.pop("name"),
                    kind=data.pop("kind"),
                    country_id=data.pop("country"),
                    external_ref=PREFIX + ref,
                    **data,
                )
            self.orgs[ref] = existing
        return self.orgs[ref]

    def foreign_town(self, name: str, iso2: str, note: str = "") -> Organisation:
        ref = rivm_ref(name)
        if ref not in self.orgs:
            existing = Organisation.objects.filter(external_ref=PREFIX + ref).first()
            self.orgs[ref] = existing or services.organisation_create(
                name=name,
                kind="foreign_authority",
                country_id=iso2,
                foreign_level="municipality",
                alternate_names=RIVM_ALTERNATE_NAMES.get(name, []),
                note=note,
                admin_area=RIVM_ADMIN_AREAS.get(name, ""),
                external_ref=PREFIX + ref,
            )
        return self.orgs[ref]

    @staticmethod
    def themes(*codes_and_priorities: tuple[str, int]) -> list[tuple[Theme, int]]:
        themes = {t.code: t for t in Theme.objects.filter(code__in=[c for c, _ in codes_and_priorities])}
        missing = [c for c, _ in codes_and_priorities if c not in themes]
        if missing:
            raise LookupError(f"Thèmes absents de la taxonomie : {missing} (lancez load-reference).")
        return [(themes[code], priority) for code, priority in codes_and_priorities]

    def partnership(self, ref: str, **kwargs) -> Partnership | None:
        """Create the partnership unless it exists; return it only when created now."""
        if Partnership.objects.filter(external_ref=PREFIX + ref).exists():
            return None
        kwargs.setdefault("publication_state", "published")
        partnership = services.partnership_create(external_ref=PREFIX + ref, **kwargs)
        self.created += 1
        return partnership

    def event(
        self,
        partnership: Partnership | None,
        year: int,
        title: str,
        kind: str = EventKind.OTHER,
        organisation: Organisation | None = None,
        **extra,
    ) -> None:
        services.event_add(
            partnership=partnership, organisation=organisation, year=year, title=title, kind=kind, **extra
        )

    # --- seed 000: Lyon – Birmingham ------------------------------------------------------------
    def lyon_birmingham(self) -> None:
        lyon, birmingham = self.org("lyon"), self.org("birmingham")
        networks = ["cglu", "delice", "eurocities", "luci"]
        for ref in networks:
            network = self.org(ref)
            for member in (lyon, birmingham):
                if not network.memberships.filter(member=member).exists():
                    founder = ref == "eurocities"
                    services.network_membership_add(
                        network=network,
                        member=member,
                        is_founder=founder,
                        since_year=1986 if founder else None,
                    )
        for name, programme, start, description in [
            (
                "OPTICITIES",
                "Union européenne, programme de recherche",
                2013,
                "Gestion de réseaux de transport urbain multimodaux et intégrés.",
            ),
            ("PLUS", "Union européenne", None, "Projet européen mené en commun par Lyon et Birmingham."),
        ]:
            project, _ = EuropeanProject.objects.get_or_create(
                name=name, defaults={"programme": programme, "start_year": start, "description": description}
            )
            project.participants.add(lyon, birmingham)

        partnership = self.partnership(
            "lyon-birmingham",
            title="Jumelage Lyon – Birmingham",
            form="twinning",
            status="active",
            signature_year=1951,
            start_year=1951,
            summary=(
                "Un des plus anciens jumelages de Lyon, passé des visites protocolaires et des "
                "échanges scolaires à une coopération de métropoles européennes sur le "
                "développement urbain."
            ),
            history_text=(
                "Le jumelage date de 1951. À partir de la fin des années 1980, la relation change de "
                "nature : Lyon et Birmingham figurent parmi les six villes fondatrices d'Eurocities "
                "en 1986, avec Francfort, Barcelone, Rotterdam et Milan, pour peser auprès de "
                "l'Union européenne. Les deux villes échangent depuis sur leurs pratiques et "
                "stratégies de développement urbain."
            ),
            description=(
                "Échanges d'habitants de quartiers en renouvellement urbain, projets européens "
                "cofinancés (entrepreneuriat, qualité de vie dans les quartiers, transports "
                "multimodaux), coopération entre chercheurs en neurosciences, stages annuels de "
                "lycéennes d'un lycée professionnel lyonnais dans des lieux culturels de "
                "Birmingham et échanges entre classes de primaire."
            ),
            participants=[ParticipantSpec(lyon, FRENCH), ParticipantSpec(birmingham, FOREIGN)],
            themes=self.themes(
                ("cohesion-sociale", 1),
                ("culture-patrimoine", 1),
                ("entrepreneuriat", 1),
                ("lumiere", 1),
                ("mobilite-urbaine", 1),
                ("cooperation-universitaire", 1),
            ),
        )
        if partnership is None:
            return
        self.event(partnership, 1951, "Jumelage de Lyon et Birmingham", EventKind.SIGNATURE)
        self.event(
            partnership,
            1986,
            "Création du réseau Eurocities, dont Lyon et Birmingham sont membres fondateurs",
            EventKind.FOUNDATION,
        )
        self.event(
            partnership,
            2001,
            "Rencontres semestrielles d'habitants de quartiers en renouvellement urbain",
            EventKind.EXCHANGE,
            end_year=2008,
        )
        self.event(
            partnership,
            2002,
            "Premiers projets européens communs : PACEREL (entrepreneuriat), "
            "REGENETA et URBAMECO (qualité de vie dans les quartiers)",
            EventKind.PROJECT,
        )
        self.event(partnership, 2013, "Lancement du projet européen OPTICITIES", EventKind.PROJECT)
        self.event(
            partnership,
            2014,
            "Accord entre chercheurs en neurosciences des deux villes (épilepsie, imagerie cérébrale)",
            EventKind.ACADEMIC_AGREEMENT,
        )
        contact_org = self.org("metropole-lyon")
        services.contact_create(
            last_name=LYON_CONTACT[0],
            first_name=LYON_CONTACT[1],
            function=LYON_CONTACT[2],
            organisation=contact_org,
            partnership=partnership,
        )
        services.source_add(
            partnership=partnership, title="Ville de Lyon, relations internationales : fiche Birmingham"
        )

    # --- seed 001: Métropole de Lyon and Latin America ----------------------------------------
    def lyon_latin_america(self) -> None:
        territory = self.org("metropole-lyon")
        if Study.objects.filter(territory=territory, world_region="latin_america").exists():
            return
        study = Study.objects.create(
            title="Les liens de coopération du territoire de la Métropole de Lyon avec l'Amérique latine",
            territory=territory,
            author=self.org("ciedel"),
            world_region="latin_america",
            initiatives_count=217,
            actors_count=75,
            countries_count=20,
            summary=(
                "État des lieux commandé par la Métropole de Lyon : 217 initiatives de 75 acteurs du "
                "territoire dans 20 pays d'Amérique latine, surtout le Mexique, le Brésil, la Colombie "
                "et l'Argentine. Il n'existe pas de convention entre territoires ; l'enseignement "
                "supérieur et la recherche mènent la dynamique, suivis d'ONG (notamment en santé). "
                "Un outil de suivi, alimenté en continu, sert à mettre en relation les acteurs."
            ),
            note="Restitution publique par le CIEDEL un 9 juillet (année non précisée par la source).",
        )
        # In the study's order (kept by the link rows' order); django-stubs takes only int
        # primary keys here, a country's is its ISO code.
        for iso2 in ["MX", "BR", "CO", "AR"]:
            study.highlighted_countries.add(iso2)  # type: ignore[arg-type]
        categories = [
            (
                "Formation et savoirs",
                "échanges d'étudiants, réseaux d'universités, recherche",
                ["cooperation-universitaire", "mobilite-etudiante", "education-formation"],
            ),
            (
                "Solidarité",
                "projets entre ONG, volontariat international",
                ["cohesion-sociale", "sante", "aide-humanitaire"],
            ),
            (
                "Promotion et croisement des cultures",
                "projets artistiques, vie communautaire",
                ["echanges-culturels", "infrastructures-culturelles", "arts-vivants"],
            ),
            ("Emblèmes du territoire lyonnais", "gastronomie, lumière", ["gastronomie", "lumiere"]),
            ("Innovations urbaines", "", ["urbanisme", "mobilite-urbaine", "amenagement-transports"]),
            (
                "Secteur économique",
                "communautés French Tech, implantation d'entreprises",
                ["developpement-economique", "entrepreneuriat", "numerique"],
            ),
            ("Francophonie", "promotion et développement de la langue française", ["francophonie"]),
        ]
        for rank, (name, examples, theme_codes) in enumerate(categories, start=1):
            category = StudyCategory.objects.create(study=study, rank=rank, name=name, examples=examples)
            category.themes.set(Theme.objects.filter(code__in=theme_codes))
        self.created += 1

    # --- seed 002: Clermont-Ferrand's network of Michelin cities ---------------------------------
    def clermont_rivm(self) -> None:
        clermont = self.org("clermont-ferrand")
        partners = [
            self.foreign_town(name, iso2, note=GOMEL_NOTE if name == "Gomel" else "")
            for name, iso2 in RIVM_PARTNERS
        ]
        funding_rows = [
            ("clermont-ferrand", 500928, 2021, FundingKind.OWN_FUNDS),
            ("smtc-clermont", 1255, 2021, FundingKind.OTHER),
            ("agence-urbanisme-clermont", 1255, 2021, FundingKind.OTHER),
            ("artistes-en-residence", 418, 2020, FundingKind.OTHER),
            ("uca", 660, 2020, FundingKind.OTHER),
            ("bivouac", 660, 2020, FundingKind.PRIVATE),
            ("cara", 418, 2020, FundingKind.OTHER),
            ("ensaclermont", 37850, 2021, FundingKind.OTHER),
            ("meae", 64747, 2020, FundingKind.STATE),
            ("michelin", 418, 2020, FundingKind.PRIVATE),
            ("atmo-aura", 418, 2020, FundingKind.OTHER),
            ("Usagers français", 6670, 2021, FundingKind.OTHER),
            ("Collectivités et partenaires étrangers", 228917, 2021, FundingKind.PARTNER),
            ("Collectivités et partenaires étrangers", 228917, 2020, FundingKind.PARTNER),
            ("rivm", 42170, 2021, FundingKind.OTHER),
            ("ensaclermont", 25163, 2020, FundingKind.OTHER),
            ("rivm", 418, 2020, FundingKind.OTHER),
            ("artistes-en-residence", 2319, 2021, FundingKind.OTHER),
            ("uca", 6183, 2021, FundingKind.OTHER),
            ("meae", 64747, 2021, FundingKind.STATE),
            ("michelin", 1255, 2021, FundingKind.PRIVATE),
            ("atmo-aura", 1255, 2021, FundingKind.OTHER),
            ("sauve-qui-peut", 418, 2020, FundingKind.OTHER),
            ("clermont-ferrand", 149906, 2020, FundingKind.OWN_FUNDS),
            ("smtc-clermont", 418, 2020, FundingKind.OTHER),
            ("bivouac", 1983, 2021, FundingKind.PRIVATE),
            ("cara", 1255, 2021, FundingKind.OTHER),
            ("agence-urbanisme-clermont", 418, 2020, FundingKind.OTHER),
            ("sauve-qui-peut", 8955, 2021, FundingKind.OTHER),
        ]
        funding = [
            FundingSpec(
                amount=Decimal(amount),
                year=year,
                kind=kind,
                **({"funder": self.org(who)} if who in ORGANISATIONS else {"funder_label": who}),
            )
            for who, amount, year, kind in funding_rows
        ]
        partnership = self.partnership(
            "clermont-rivm",
            title="Réseau international des villes Michelin (RIVM) : pérennisation et premiers "
            "partenariats opérationnels",
            form="project",
            status="active",
            signature_year=2019,
            start_year=2020,
            end_date=datetime.date(2021, 12, 31),
            is_triennial=False,
            summary=(
                "Clermont-Ferrand anime un réseau de villes de toutes tailles et de tous continents "
                "qui accueillent une usine ou un centre de recherche Michelin, pour expérimenter "
                "ensemble la ville durable."
            ),
            context=(
                "Les villes concentrent une part croissante de la population, des émissions et de la "
                "consommation d'énergie. Le projet s'inscrit dans les objectifs de développement "
                "durable, en particulier l'ODD 11 (villes durables) et l'ODD 17 (partenariats). Après "
                "deux premières rencontres, l'enjeu des troisièmes est de mieux structurer la "
                "gouvernance du réseau et de faire naître des projets communs entre municipalités."
            ),
            history_text=(
                "Clermont-Ferrand engage en 2014 une politique d'internationalisation. Le réseau naît "
                "en 2017 lors de premières rencontres à Clermont-Ferrand sur la ville durable, avec "
                "des délégations de 44 villes et 23 pays. Les deuxièmes rencontres, en mars 2019 à "
                "Vitoria-Gasteiz, réunissent 30 villes de 20 pays ; le réseau devient une association "
                "loi 1901 et organise son travail en six laboratoires thématiques (mobilité, "
                "participation citoyenne, urbanisme, innovation, économie circulaire, universités). "
                "Le réseau se réunit aussi au salon Movin'on de Montréal."
            ),
            objectives_local=(
                "Faire du réseau un lieu d'expérimentation au service des ODD : moderniser l'action "
                "publique par l'innovation, intégrer l'expérimentation et l'évaluation aux politiques "
                "locales, penser les transitions de façon systémique, sensibiliser les habitants à la "
                "dimension internationale de leur territoire, et tisser des liens de solidarité "
                "mobilisables en cas de crise."
            ),
            objectives_france=(
                "Les mêmes objectifs, portés en France auprès des acteurs publics, économiques, "
                "universitaires, culturels et associatifs du territoire clermontois."
            ),
            description=(
                "Le réseau relie plus de trente villes dans le monde et met en relation les acteurs "
                "clermontois avec leurs homologues. Les troisièmes rencontres, à Querétaro (Mexique), "
                "et les premières actions concrètes doivent marquer sa pérennisation."
            ),
            note=GOMEL_NOTE,
            participants=[ParticipantSpec(clermont, FRENCH)]
            + [ParticipantSpec(p, FOREIGN) for p in partners]
            + [ParticipantSpec(self.org("rivm"), COORDINATOR)],
            themes=self.themes(
                ("amenagement-transports", 0),
                ("cooperation-universitaire", 1),
                ("economie-circulaire", 2),
                ("jeunesse-genre", 3),
                ("protection-environnement", 4),
                ("infrastructures-culturelles", 5),
            ),
            sdgs=[11, 17],
            funding=funding,
        )
        if partnership is None:
            return
        by_name = {p.name: p for p in partners}
        for town, last, first, function, email in RIVM_CONTACTS:
            services.contact_create(
                organisation=by_name[town],
                partnership=partnership,
                last_name=last,
                first_name=first,
                function=function,
                email=email,
                note="Nom de la ville écrit « Golem » dans la fiche source." if town == "Gomel" else "",
            )
        for iso2, post_ref, correspondent in EMBASSY_POSTS:
            embassy = self.org(post_ref)
            post = DiplomaticPost(country_id=iso2, name=embassy.name)
            if correspondent:
                person = services.contact_create(
                    last_name=correspondent[0],
                    first_name=correspondent[1],
                    email=correspondent[2],
                    function="Correspondant coopération décentralisée ; conseiller de coopération et "
                    "d'action culturelle",
                    organisation=embassy,
                )
                post.correspondent = post.counsellor = person
                post.correspondent_status = post.counsellor_status = ContactStatus.NAMED
            else:
                post.correspondent_status = post.counsellor_status = ContactStatus.NONE
            if not DiplomaticPost.objects.filter(country_id=iso2).exists():
                diplomatic_post_create(post, [])
        self.event(None, 2014, "Lancement d'une politique d'internationalisation", organisation=clermont)
        self.event(
            partnership,
            2017,
            "Premières rencontres du réseau à Clermont-Ferrand (44 villes, 23 pays)",
            EventKind.FOUNDATION,
        )
        self.event(
            partnership,
            2019,
            "Deuxièmes rencontres à Vitoria-Gasteiz ; le réseau devient une association",
            EventKind.MEETING,
            month=3,
        )
        self.event(
            partnership, 2020, "Troisièmes rencontres à Querétaro (Mexique)", EventKind.MEETING, month=2
        )
        services.source_add(
            partnership=partnership,
            title="Atlas français de la coopération décentralisée : fiche du projet RIVM",
        )

    # --- seed 003: three agreements signed in Hauts-de-France in 2024 ----------------------------
    def hauts_de_france_2024(self) -> None:
        lianes = self.org("lianes")
        inspire, _ = Programme.objects.get_or_create(
            name="Inspire (coopération avec l'Europe de l'Est)", defaults={"operator": lianes}
        )
        morocco, _ = Programme.objects.get_or_create(
            name="Programme d'appui à la coopération franco-marocaine", defaults={"operator": lianes}
        )
        news = "Lianes coopération : « 3 nouvelles coopérations décentralisées en Hauts-de-France »"
        published_on = datetime.date(2024, 12, 13)

        region = self.partnership(
            "hdf-dnipropetrovsk",
            title="Protocole d'entente entre la Région Hauts-de-France et l'oblast de Dnipropetrovsk",
            form="protocol",
            status="active",
            signature_year=2024,
            signature_date=datetime.date(2024, 11, 21),
            start_year=2024,
            duration_months=60,
            programme=inspire,
            last_verified_on=published_on,
            summary=(
                "Protocole de cinq ans pour accompagner une reconstruction durable de l'Ukraine, dans "
                "le prolongement du soutien de la Région depuis le début de la guerre."
            ),
            objectives_local=(
                "Axes prioritaires : économie circulaire et environnement ; formation des jeunes ; "
                "technologies et construction (impression 3D, énergies alternatives) ; gestion des "
                "fonds européens et des programmes de coopération comme Interreg."
            ),
            participants=[
                ParticipantSpec(self.org("hauts-de-france"), FRENCH),
                ParticipantSpec(self.org("dnipropetrovsk"), FOREIGN),
                ParticipantSpec(lianes, ASSOCIATED, note="programme Inspire"),
            ],
            themes=self.themes(
                ("economie-circulaire", 0),
                ("education-formation", 1),
                ("energies-renouvelables", 2),
                ("fonds-europeens", 3),
                ("reconstruction", 4),
            ),
        )
        if region:
            self.event(
                region, 2024, "Signature du protocole d'entente", EventKind.SIGNATURE, month=11, day=21
            )
            services.source_add(partnership=region, title=news, retrieved_on=published_on)

        synthe = self.partnership(
            "grande-synthe-sidi-ifni",
            title="Convention de partenariat entre Grande-Synthe et Sidi Ifni",
            form="cooperation_agreement",
            status="active",
            signature_year=2024,
            start_year=2024,
            programme=morocco,
            last_verified_on=published_on,
            summary=(
                "Après plusieurs missions d'élus et de services, les deux villes ont signé au Maroc une "
                "convention sur la transition écologique et sociale, autour de la réhabilitation d'un "
                "parc urbain."
            ),
            objectives_local=(
                "Échanger sur la nature en ville, les économies d'énergie, l'usage raisonné de l'eau, "
                "l'agriculture urbaine, la jeunesse et le sport."
            ),
            participants=[
                ParticipantSpec(self.org("grande-synthe"), FRENCH),
                ParticipantSpec(self.org("sidi-ifni"), FOREIGN),
                ParticipantSpec(lianes, ASSOCIATED, note="programme franco-marocain"),
            ],
            themes=self.themes(
                ("nature-en-ville", 0),
                ("energies-renouvelables", 1),
                ("eau-assainissement", 2),
                ("agriculture-urbaine", 3),
                ("jeunesse-genre", 4),
                ("sport", 5),
            ),
        )
        if synthe:
            self.event(synthe, 2024, "Signature de la convention au Maroc", EventKind.SIGNATURE, month=2)
            self.event(
                synthe,
                2024,
                "Délégation de Sidi Ifni à Grande-Synthe (Festival des Solidarités)",
                EventKind.DELEGATION_VISIT,
                month=11,
                day=22,
            )
            services.source_add(partnership=synthe, title=news, retrieved_on=published_on)

        villeneuve = self.partnership(
            "villeneuve-d-ascq-tanguieta",
            title="Convention de coopération entre Villeneuve-d'Ascq et Tanguiéta",
            form="cooperation_agreement",
            status="active",
            signature_year=2024,
            signature_date=datetime.date(2024, 11, 22),
            start_year=2018,
            last_verified_on=published_on,
            summary=(
                "La convention consolide cinq ans d'actions communes pour l'artisanat et "
                "l'apprentissage à Tanguiéta, et ouvre un projet de basket-ball pour les jeunes filles."
            ),
            history_text=(
                "La coopération commence en 2018 à l'initiative de l'ASNBNF, avec l'AADACT à Tanguiéta : "
                "classes d'alphabétisation, bourses d'insertion, centre d'apprentissage des métiers "
                "artisanaux électrifié."
            ),
            objectives_local=(
                "Soutenir l'artisanat et l'apprentissage ; développer la pratique sportive comme "
                "facteur d'éducation, de développement local et d'égalité entre femmes et hommes."
            ),
            participants=[
                ParticipantSpec(self.org("villeneuve-d-ascq"), FRENCH),
                ParticipantSpec(self.org("tanguieta"), FOREIGN),
                ParticipantSpec(self.org("asnbnf"), ASSOCIATED),
                ParticipantSpec(self.org("aadact"), ASSOCIATED),
                ParticipantSpec(self.org("esbva-lm"), ASSOCIATED, note="projet sportif"),
            ],
            themes=self.themes(
                ("artisanat", 0), ("apprentissage", 1), ("sport", 2), ("egalite-femmes-hommes", 3)
            ),
            sdgs=[4, 5, 8],
        )
        if villeneuve:
            self.event(villeneuve, 2018, "Début des actions communes", EventKind.PROJECT)
            self.event(
                villeneuve,
                2024,
                "Signature de la convention de coopération",
                EventKind.SIGNATURE,
                month=11,
                day=22,
            )
            services.source_add(partnership=villeneuve, title=news, retrieved_on=published_on)

    # --- seed 004: Boulogne-Billancourt's twin towns ----------------------------------------------
    def boulogne_billancourt(self) -> None:
        boulogne = self.org("boulogne-billancourt")
        priority = "Ville prioritaire de la politique de coopération de Boulogne-Billancourt."
        twins = [
            (
                "neukolln",
                1955,
                "Arrondissement le plus peuplé de Berlin, « cité interculturelle » du Conseil de l'Europe.",
            ),
            ("anderlecht", 1955, "Commune de la banlieue sud-ouest de Bruxelles, sur la Senne."),
            ("hammersmith-fulham", 1955, "Borough de l'ouest de Londres, entre Heathrow et le centre."),
            ("zaanstad", 1955, "Ville proche d'Amsterdam, connue pour ses moulins et le cacao."),
            ("marino", 1968, "Ville des Castelli Romani, à une vingtaine de kilomètres de Rome."),
            ("pancevo", 1972, "Ville au confluent du Danube et du Tamiš, près de Belgrade. " + priority),
            (
                "sousse",
                1977,
                "Port du golfe d'Hammamet, riche patrimoine architectural. Accords de "
                "coopération. " + priority,
            ),
            ("irving", 1993, "Ville du comté de Dallas (Texas)."),
            ("raanana", 1996, "Ville au nord de Tel-Aviv. Accords de coopération. " + priority),
            ("guang-an", 2007, "Ville de la province du Sichuan, où se trouve le musée Deng Xiaoping."),
        ]
        for ref, year, summary in twins:
            twin = self.org(ref)
            partnership = self.partnership(
                f"boulogne-billancourt-{ref}",
                title=f"Jumelage Boulogne-Billancourt – {twin.name}",
                form="twinning",
                status="active",
                start_year=year,
                summary=summary,
                description="Les liens passent aujourd'hui surtout par les établissements scolaires, "
                "avec l'appui des services municipaux pour les projets culturels et éducatifs."
                if year < 1990
                else "",
                participants=[ParticipantSpec(boulogne, FRENCH), ParticipantSpec(twin, FOREIGN)],
                themes=self.themes(("echanges-scolaires", 1), ("echanges-culturels", 1)),
            )
            if partnership:
                services.source_add(
                    partnership=partnership, title="Ville de Boulogne-Billancourt : page « Villes jumelées »"
                )

    def load(self) -> int:
        self.lyon_birmingham()
        self.lyon_latin_america()
        self.clermont_rivm()
        self.hauts_de_france_2024()
        self.boulogne_billancourt()
        return self.created


@transaction.atomic
def load_demo() -> int:
    """Load the demo atlas (reference data must be loaded first); return records created."""
    return DemoLoader().load()
