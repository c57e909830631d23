"""Personal data of the demo atlas: partner contacts and embassy correspondents.

These are the contacts published in the public atlas record; coopatlas shows them only to
users allowed to see personal data (permission atlas.view_contact) and never exports them
without that permission.
"""

# Clermont-Ferrand network: (partner town, last name, first name, function, email).
# "NA" in the record means "not given" and is stored as an empty field.
RIVM_CONTACTS: list[tuple[str, str, str, str, str]] = [
    ("Cuneo", "Arnaudo", "Monica", "Référent RIVM", "monica.arnaudo@comune.cuneo.it"),
    ("Aranda de Duero", "Martinez", "L.", "Référent RIVM", "lmartinez@arandadeduero.es"),
    ("Olsztyn", "Winter", "Katarzyna", "", "Winter.katarzyna@olsztyn.eu"),
    (
        "Valladolid",
        "Ricote Munoz",
        "Amparo",
        "Agence innovation et développement économique",
        "aricote@ava.es",
    ),
    ("Oyem", "", "", "Référent RIVM", "mairieoyem@gmail.com"),
    ("Karlsruhe", "Karmann-Woessner", "Anke", "Référent RIVM", "anke.karmann-woessner@stpla.karlsruhe.de"),
    ("Oviedo", "Pando Alvarez", "José Ramón", "Conseiller du maire", "jose.r.pando@oviedo.es"),
    ("Braga", "Gouveia", "Nuno", "Référent RIVM", "nuno.gouveia@cm-braga.pt"),
    ("Salford", "Antrobus", "", "Référent RIVM", "Councillor.antrobus@salford.gov.uk"),
    ("Gomel", "", "", "Référent RIVM", "economica@gorod.gomel.by"),
    ("Norman", "", "", "Référent RIVM", "natrocher@gmail.com"),
    ("Lexington", "Poole", "B.", "Référent RIVM", "bpoole@lexsc.com"),
    ("Montréal", "Couillard", "Luc", "Référent RIVM", "luccouillard@ville.montreal.qc.ca"),
    ("Shanghai", "", "", "Référent RIVM", "giunglapietra@163.com"),
    ("Nyiregyhaza", "Bartok", "David", "Chargé de mission", "bartok.david@nyiregyhaza.hu"),
    ("Regensburg", "Hurteloup", "Mélanie", "Référent RIVM", "Hurteloup.Melanie@Regensburg.de"),
    ("Pirot", "Taskov", "Marija", "Référent RIVM", "marija.taskov@pirot.rs"),
    ("Bangkok", "", "", "Référent RIVM", "international.bangkok@gmail.com"),
    (
        "Santiago de Querétaro",
        "Septien",
        "Luisa",
        "Coordinatrice du développement économique",
        "luisa.septien@municipiodequeretaro.gob.mx",
    ),
    ("Guarulhos", "Barros", "Rodrigo", "Référent RIVM", "rodrigobarros@guarulhos.sp.gov.br"),
    ("Chennai", "", "", "Référent RIVM", "ceo@cscl.co.in"),
    ("Rayong", "Sombatsri", "Chatnuchai", "Deputy Municipal Clerk", "chatnuchai@gmail.com"),
    ("Phrapradaeng", "Vachirakhuanhan", "Prasert", "Maire", "prasert1567@gmail.com"),
    ("Bad-Kreuznach", "Meurer", "Heike", "Référent RIVM", "heike.meurer@ofenfreund.de"),
    ("Homburg", "Ludwig", "Claudia", "Référent RIVM", "Claudia.Ludwig@homburg.de"),
    ("Bridgewater", "Tanner", "Andrew", "Référent RIVM", "Andrew.tanner@bridgewater.ca"),
    ("Vitoria-Gasteiz", "Cengotita", "P.", "Référent RIVM", "pcengotita@vitoria-gasteiz.org"),
    ("Lasarte-Oria", "Mugica", "Inaki", "Conseiller du maire", "i.mugica@lasarte-oria.eus"),
    ("Maebashi", "", "", "Référent RIVM", "bunka@city.maebashi.gunma.jp"),
    ("Anderson", "Batson", "B.", "Référent RIVM", "bbatson@cityofandersonsc.com"),
    ("Greenville", "Lapidus", "E.", "Référent RIVM", "elapidus@greenvillesc.gov"),
]

# Embassy posts named in the record: (country, post reference, correspondent or None).
EMBASSY_POSTS: list[tuple[str, str, tuple[str, str, str] | None]] = [
    ("IT", "embassy-rome", ("Aubert", "Bruno", "bruno.aubert@diplomatie.gouv.fr")),
    ("JP", "embassy-tokyo", None),
    ("ES", "embassy-madrid", None),
    ("IN", "embassy-new-delhi", None),
]

# The international-relations contact named on Lyon's page about Birmingham.
LYON_CONTACT = (
    "Cantau",
    "Juliette",
    "Chargée de mission partenariats internationaux, délégation développement économique, emploi et savoirs",
)
