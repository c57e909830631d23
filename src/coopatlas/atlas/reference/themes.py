"""The theme taxonomy (three levels) and the 17 SDGs, as reference data.

Level-1 and level-2 labels follow the national atlas of decentralised cooperation, written with
their accents and French capitals (the atlas writes "Economie durable"); level-3
entries name the finer subjects partnerships report. Each node carries the tag of the
extraction vocabulary it falls under.
"""

# (code, French label, English label, tag, children)
ThemeNode = tuple[str, str, str, str, list]

THEMES: list[ThemeNode] = [
    (
        "culture-patrimoine",
        "Culture et patrimoine",
        "Culture and heritage",
        "culture",
        [
            (
                "infrastructures-culturelles",
                "Infrastructures, équipements et manifestations culturelles",
                "Cultural facilities and events",
                "culture",
                [
                    ("lumiere", "Lumière et éclairage urbain", "Light and urban lighting", "culture", []),
                    (
                        "arts-vivants",
                        "Arts vivants et résidences d'artistes",
                        "Performing arts and residencies",
                        "culture",
                        [],
                    ),
                    ("cinema", "Cinéma et audiovisuel", "Film and audiovisual", "culture", []),
                ],
            ),
            ("patrimoine", "Patrimoine", "Heritage", "heritage", []),
            ("francophonie", "Francophonie", "French-speaking world", "culture", []),
            (
                "echanges-culturels",
                "Échanges culturels et interculturalité",
                "Cultural exchanges",
                "culture",
                [],
            ),
        ],
    ),
    (
        "economie-durable",
        "Économie durable",
        "Sustainable economy",
        "economy",
        [
            (
                "amenagement-transports",
                "Aménagement du territoire et transports",
                "Spatial planning and transport",
                "urban_development",
                [
                    ("mobilite-urbaine", "Mobilité urbaine", "Urban mobility", "mobility", []),
                    (
                        "urbanisme",
                        "Urbanisme et renouvellement urbain",
                        "Urban planning and regeneration",
                        "urban_development",
                        [],
                    ),
                ],
            ),
            (
                "developpement-economique",
                "Développement économique",
                "Economic development",
                "economy",
                [
                    (
                        "entrepreneuriat",
                        "Entrepreneuriat et innovation",
                        "Entrepreneurship and innovation",
                        "economy",
                        [],
                    ),
                    ("artisanat", "Artisanat", "Crafts", "economy", []),
                ],
            ),
            ("tourisme", "Tourisme", "Tourism", "tourism", []),
            (
                "agriculture-alimentation",
                "Agriculture et alimentation",
                "Agriculture and food",
                "agriculture_food",
                [
                    (
                        "agriculture-urbaine",
                        "Agriculture urbaine",
                        "Urban agriculture",
                        "agriculture_food",
                        [],
                    ),
                    ("gastronomie", "Gastronomie", "Gastronomy", "agriculture_food", []),
                ],
            ),
            ("numerique", "Numérique", "Digital", "digital", []),
        ],
    ),
    (
        "education-social-recherche",
        "Éducation, social et recherche",
        "Education, social affairs and research",
        "education",
        [
            (
                "cooperation-universitaire",
                "Coopération universitaire, scientifique et recherche",
                "University and scientific cooperation, research",
                "research_higher_education",
                [
                    (
                        "mobilite-etudiante",
                        "Échanges d'étudiants",
                        "Student exchanges",
                        "research_higher_education",
                        [],
                    ),
                ],
            ),
            (
                "jeunesse-genre",
                "Jeunesse & genre",
                "Youth and gender",
                "youth",
                [
                    ("egalite-femmes-hommes", "Égalité femmes-hommes", "Gender equality", "gender", []),
                ],
            ),
            (
                "education-formation",
                "Éducation et formation professionnelle",
                "Education and vocational training",
                "education",
                [
                    ("echanges-scolaires", "Échanges scolaires", "School exchanges", "education", []),
                    (
                        "apprentissage",
                        "Apprentissage et insertion",
                        "Apprenticeship and employment",
                        "education",
                        [],
                    ),
                ],
            ),
            ("cohesion-sociale", "Cohésion sociale", "Social cohesion", "social", []),
            ("sante", "Santé", "Health", "health", []),
            ("sport", "Sport", "Sport", "sport", []),
        ],
    ),
    (
        "environnement-climat-energie",
        "Environnement, climat et énergie",
        "Environment, climate and energy",
        "environment",
        [
            (
                "economie-circulaire",
                "Économie circulaire",
                "Circular economy",
                "environment",
                [
                    ("dechets", "Déchets", "Waste", "environment", []),
                ],
            ),
            (
                "protection-environnement",
                "Protection / Gestion de l'environnement / Biodiversité",
                "Environmental protection and biodiversity",
                "environment",
                [
                    ("nature-en-ville", "Nature en ville", "Nature in the city", "environment", []),
                ],
            ),
            ("eau-assainissement", "Eau et assainissement", "Water and sanitation", "water_sanitation", []),
            (
                "energie",
                "Énergie",
                "Energy",
                "energy",
                [
                    (
                        "energies-renouvelables",
                        "Énergies renouvelables et sobriété",
                        "Renewables and energy saving",
                        "energy",
                        [],
                    ),
                ],
            ),
            ("climat", "Climat", "Climate", "environment", []),
        ],
    ),
    (
        "gouvernance-democratie",
        "Gouvernance et démocratie locale",
        "Governance and local democracy",
        "governance",
        [
            (
                "appui-institutionnel",
                "Appui institutionnel et gestion publique locale",
                "Institutional support and local public management",
                "governance",
                [
                    (
                        "fonds-europeens",
                        "Gestion des fonds européens",
                        "Managing European funds",
                        "governance",
                        [],
                    ),
                ],
            ),
            (
                "citoyennete",
                "Citoyenneté et participation",
                "Citizenship and participation",
                "governance",
                [],
            ),
        ],
    ),
    (
        "urgence-reconstruction",
        "Urgence, reconstruction et aide humanitaire",
        "Emergency, reconstruction and humanitarian aid",
        "humanitarian",
        [
            ("reconstruction", "Reconstruction", "Reconstruction", "humanitarian", []),
            ("aide-humanitaire", "Aide humanitaire", "Humanitarian aid", "humanitarian", []),
        ],
    ),
]

# The 17 UN Sustainable Development Goals: (number, French name, English name).
SDGS: list[tuple[int, str, str]] = [
    (1, "Pas de pauvreté", "No poverty"),
    (2, "Faim « zéro »", "Zero hunger"),
    (3, "Bonne santé et bien-être", "Good health and well-being"),
    (4, "Éducation de qualité", "Quality education"),
    (5, "Égalité entre les sexes", "Gender equality"),
    (6, "Eau propre et assainissement", "Clean water and sanitation"),
    (7, "Énergie propre et d'un coût abordable", "Affordable and clean energy"),
    (8, "Travail décent et croissance économique", "Decent work and economic growth"),
    (9, "Industrie, innovation et infrastructure", "Industry, innovation and infrastructure"),
    (10, "Inégalités réduites", "Reduced inequalities"),
    (11, "Villes et communautés durables", "Sustainable cities and communities"),
    (12, "Consommation et production responsables", "Responsible consumption and production"),
    (13, "Mesures relatives à la lutte contre les changements climatiques", "Climate action"),
    (14, "Vie aquatique", "Life below water"),
    (15, "Vie terrestre", "Life on land"),
    (16, "Paix, justice et institutions efficaces", "Peace, justice and strong institutions"),
    (17, "Partenariats pour la réalisation des objectifs", "Partnerships for the goals"),
]
