"""Find the partnerships a page states: (French authority, foreign authority) pairs, each with its
country, year, kind, themes, a confidence and the evidence in the text.

How a page is read (docs/extraction.md says more):
1. The text is cut into units: headings, list items, table rows and, in paragraphs, sentences
   (spaCy). A heading opens a section; a year heading ("Depuis 1955 :") dates the items below it.
2. In each unit, names are found (capitalised runs, "la ville de X", "l'oblast de X", spaCy's
   place entities) and given to the Places resolver, with the country written beside them when
   there is one ("Neukölln (Allemagne)", "Sidi Ifni au Maroc", "Irving, USA"). A French place is
   a French authority; a foreign one a candidate partner; countries alone are nobody's partner.
3. A pair is made where a unit ties the two: a sentence with a word of agreement naming both (or
   naming the partner on the page of its French authority), a heading "A et B", a list item or
   table row under a heading about twin towns or partners. Places that only locate another
   ("située dans la région d'Agadir") or sentences about networks, events and embassies never
   make a pair.
4. The kind, the year and the themes come from the units about the pair: the unit naming it,
   else its section when the section is about one pair, else the page when it is about one pair.
   The kind follows the labelling rules' precedence; the year is the founding act's (signature,
   twinning), else the start of the relation ("depuis 1990"); visits and anniversaries are not.
"""

import bisect
import contextvars
import functools
import re
from array import array
from dataclasses import dataclass, field

from coopatlas.core.text import normalise
from coopatlas.extraction import scorer
from coopatlas.extraction import vocabulary as vocab
from coopatlas.extraction.dates import YearMention, find_years, heading_year
from coopatlas.extraction.pages import Page
from coopatlas.places.resolver import Resolution, Resolver, UnknownCountry

FRENCH_KINDS = {"commune": "commune", "epci": "epci", "departement": "departement", "region": "region"}
# A capitalised name: words with capitals, joined by particles ("Aranda de Duero",
# "Villeneuve d'Ascq", "Hammersmith & Fulham", "Frankfurt am Main").
_CAP = r"[A-ZÀ-ÖØ-ÞŒ][\w'’\-.]*\w|[A-ZÀ-ÖØ-ÞŒ]"
_PARTICLE = (
    r"(?:de|du|des|la|le|les|am|an|der|den|im|upon|on|sur|sous|del|della|di|da|do|dos|das|van|von|vor|bei"
    r"|auf|ob|op|aan|sul|y|&|and|of|au|aux|lès|lez)"
)
# Where a run of capitalised words may hold two names: "Lyon and Birmingham", "Tarija y Sucre".
_JOINS = re.compile(r"\s+(?:and|&|y|of)\s+")
NAME = re.compile(rf"(?<![\w\-])(?:{_CAP})(?:(?:\s+{_PARTICLE})*\s+(?:{_CAP})|\s*(?:d['’]|l['’])(?:{_CAP}))*")
PREFIXED = re.compile(
    r"\b(?i:(?P<level>ville|commune|municipalit[ée]|cit[ée]|oblast|province|r[ée]gion|voïvodie|district"
    r"|arrondissement|comt[ée]|county|city|town|municipality|préfecture|gouvernorat|wilaya|[ée]tat"
    r"|state|land|canton|d[ée]partement|m[ée]tropole)(?:\s+(?:rurale|urbaine|libre|hans[ée]atique|autonome))?"
    r"\s+(?:(?:de|du|des|of)\s+|d')(?:la\s+|l')?)"
    r"(?P<name>(?:[A-ZÀ-ÖØ-ÞŒ][\w'\-.]*\w)(?:(?:\s+" + _PARTICLE + r")*\s+[A-ZÀ-ÖØ-ÞŒ][\w'\-.]*\w"
    r"|\s*(?:d'|l')[A-ZÀ-ÖØ-ÞŒ][\w'\-.]*\w)*)",
)
_AFTER_PAREN = re.compile(r"\s*\((?P<c>[^()\n]{2,40})\)")
_AFTER_COMMA = re.compile(r"\s*,\s*(?P<c>[A-ZÀ-ÖØ-Þ][\w'\-]*(?:[ \-][A-ZÀ-ÖØ-Þa-zé'][\w'\-]*){0,3})")
_AFTER_IN = re.compile(
    r"\s+(?:en|au|aux|in|\(|,)\s*(?:l')?(?P<c>[A-ZÀ-ÖØ-Þ][\w'\-]*(?:[ \-][A-ZÀ-ÖØ-Þ][\w'\-]*){0,3})"
)
_AFTER_DASH = re.compile(r"\s*[–—-]\s+(?P<c>[A-ZÀ-ÖØ-Þ][\w'\-]*(?:[ \-][A-ZÀ-ÖØ-Þ][\w'\-]*){0,3})")
# "la ville allemande de Viersen", "the German city of Viersen": the country in an adjective.
_DEMONYM_BEFORE = re.compile(
    r"(?:ville|commune|cit[ée]|municipalit[ée]|r[ée]gion|province|localit[ée]|capitale)s?\s+"
    r"(?P<adj>[a-zàâçéèêëîïôûùüÿ]+)\s+(?:de\s+|d')$"
    r"|\b(?P<en>[A-Z][a-z]+)\s+(?:city|town|municipality|region|province|district)\s+of\s+$",
)
# The Etalab geography names EPCIs "CA du Pays Basque", "CC Faucigny - Glières", "CU de Dunkerque".
_EPCI = re.compile(
    r"^(?:(?:la|the)\s+)?(?P<kind>communaut[ée] d'agglom[ée]ration|communaut[ée] de communes"
    r"|communaut[ée] urbaine)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_EPCI_SPAN = re.compile(
    r"(?i:communaut[ée] d'agglom[ée]ration|communaut[ée] de communes|communaut[ée] urbaine)\s+"
    r"(?:(?:de|du|des)\s+|d')?(?:la\s+|l')?[A-ZÀ-ÖØ-ÞŒ][\w'\-]*(?:\s+(?:de|du|des|la|le|les|et|en|sur)?\s*"
    r"[A-ZÀ-ÖØ-ÞŒ][\w'\-]*)*"
)
_EPCI_ABBREVIATIONS = {
    "communaute d agglomeration": "CA",
    "communaute de communes": "CC",
    "communaute urbaine": "CU",
}
# Where a sentence about several partners passes from one to the next.
_CLAUSE_CUT = re.compile(r"[;,]|\s(?:et|and|ainsi que|as well as)\s")
# "Allemagne : Viersen" at the start of a line or item.
_COUNTRY_BEFORE = re.compile(r"^[\W\d]*(?P<c>[A-ZÀ-ÖØ-Þ][\w'\- ]{2,40}?)\s*[:–—]\s*$")
# "Bordeaux, le 14 mars 2023 —": where a news item was written, not a party to it.
_DATELINE_AFTER = re.compile(r"^\s*(?:,\s*(?:le\s+)?\d{1,2}(?:er)?\s+\w+\s+\d{4}|\s*\((?:AFP|Reuters|AP)\))")
# What may come before the partner in a list item: a year, a date, "depuis", "jumelage avec".
_ITEM_LEAD = re.compile(
    r"^[\W\d_]*(?:(?:depuis|since|en|in|des|jumel\w*|twinned|twin|avec|with|ville de|city of"
    r"|jumelage avec|partenariat avec|cooperation avec)\b[\W\d_]*)*$"
)
# A place written only to locate another one: "située dans la région d'Agadir", "à 20 km de Rome".
_LOCATOR_BEFORE = re.compile(
    r"(?:situ[ée]e?s?|located|lying|pr[èe]s d|proximit[ée]|near|outside|banlieue|aux portes|capitale"
    r"|\d+\s*(?:km|kilom[èe]tres?|miles?)|(?:au )?(?:nord|sud|est|ouest)(?:-\w+)? d"
    r"|(?:north|south|east|west) of"
    r"|dans (?:la |le |l')(?:r[ée]gion|province|comt[ée]|banlieue|p[ée]riph[ée]rie|d[ée]partement|[ée]tat"
    r"|district)|in the (?:region|province|county|state)|fait partie|abrite)\b[^.;:]{0,25}$",
    re.IGNORECASE,
)
# A place naming the seat of another actor ("l'Université de Birmingham", "le club de Liège",
# "the University of Leeds"): that actor is no local authority, the place no partner.
_ACTOR_BEFORE = re.compile(
    r"\b(?:universit[ée]s?|university|universities|[ée]coles?|schools?|lyc[ée]es?|coll[èe]ges?|clubs?"
    r"|associations?|comit[ée]s?|committees?|entreprises?|companies|company|chambres? de commerce"
    r"|h[ôo]pita(?:l|ux)|hospitals?|mus[ée]es?|museums?|orchestres?|orchestras?|th[ée][âa]tres?|ports?"
    r"|a[ée]roports?|airports?|fondations?|foundations?|instituts?|institutes?|centres?|centers?"
    r"|[ée]quipes?|teams?|ambassades?|embass(?:y|ies)|consulats?|consulates?|diocèses?|paroisses?)"
    r"(?:\s+[\w'’-]+){0,3}?\s+(?:de\s+(?:la\s+|l')?|du\s+|des\s+|d'|of\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•·▪◦●\-*–]|\d{1,2}[.)])\s*")
HEADING_MAX_WORDS = 14
# The foreign countries the page being read names (set per page; safe across threads)
_PAGE_COUNTRIES: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "page_countries", default=frozenset()
)
# The words the page writes in lower case: a capitalised "Accord", "Visite", "Council" that the
# page also writes "accord", "visite", "council" is a word before it is a place
_PAGE_WORDS: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "page_words", default=frozenset()
)
# Countries named like first names: after a comma they are more often a person than a country.
FIRST_NAME_COUNTRIES = {
    "dominique",
    "dominica",
    "jordan",
    "jordanie",
    "georgia",
    "georgie",
    "israel",
    "chad",
    "salvador",
}
FUZZY = "approché"  # the resolver's reason for a name guessed by spelling distance
SMALL_COMMUNE = 2000  # inhabitants: under it, a bare name is doubted (many are common words)
LARGE_COMMUNE = 20000  # a commune smaller than this gives way to a département of its name
FOREIGN_DOMINANCE = 20  # a foreign city this many times larger than a French commune of its name wins
RESOLUTION_CACHE = 50_000
# A heading that names the page's own authority.
_OWNER_HEADING = re.compile(
    r"(?:villes? jumel\w*|jumelages?|relations? internationales?|international relations|twin towns?"
    r"|sister cit\w*|cooperations? (?:decentralisees?|internationales?)|partenariats? internationaux"
    r"|nos villes jumelles|our twin towns)",
)
_OUR = re.compile(
    r"\bnos villes (?:jumelles|jumelees|partenaires)|\bnotre ville\b|\bour (?:twin|sister|partner)"
)


@dataclass
class Mention:
    start: int
    end: int
    written: str
    name: str
    iso2: str
    kind: str  # commune | epci | departement | region | city | admin1 | other
    french: bool
    stated_country: bool
    confidence: float
    level: str | None = None
    # a French commune of under SMALL_COMMUNE inhabitants named with no "ville de" before it, or
    # a foreign town chosen among homonyms by its size: the scorer weighs them lower
    doubtful: bool = False
    population: int = 0

    @property
    def key(self) -> str:
        return normalise(self.name)


@dataclass
class Unit:
    start: int
    end: int
    text: str
    kind: str  # heading | item | row | sentence
    section: int
    paragraph: int
    year_heading: int | None = None
    mentions: list[Mention] = field(default_factory=list)
    norm: str = ""
    people: list[tuple[int, int]] = field(default_factory=list)  # spaCy's PER entities, unit offsets
    country: str | None = None  # the country heading an entry lies under
    tree: "Tree | None" = None  # the dependency tree of the sentence's paragraph piece (parsed languages)
    tree_shift: int = 0  # the page offset of that piece


@dataclass
class Tree:
    """A parsed piece of text: each token's start (offset in the piece), its head's index and
    whether it is a word of agreement."""

    starts: array
    heads: array
    relation: bytes

    def token_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def path(self, a: int, b: int) -> list[int]:
        """The tokens between tokens a and b along the tree (both excluded)."""
        up_a = self._ancestors(a)
        up_b = self._ancestors(b)
        common = next((t for t in up_a if t in set(up_b)), None)
        if common is None:
            return []
        left = up_a[1 : up_a.index(common)]
        right = up_b[1 : up_b.index(common)]
        middle = [common] if common not in (a, b) else []
        return left + middle + right[::-1]

    def _ancestors(self, token: int) -> list[int]:
        chain = [token]
        while self.heads[chain[-1]] != chain[-1] and len(chain) < 64:
            chain.append(self.heads[chain[-1]])
        return chain


@dataclass
class Evidence:
    text: str
    start: int
    end: int


@dataclass
class Found:
    """One partnership the page states."""

    french: Mention
    foreign: Mention
    evidence: Evidence
    signals: dict[str, float]  # what the scorer weighs (scorer.py), for the first unit naming the pair
    occurrences: list[dict[str, float]] = field(default_factory=list)  # every unit's signals
    score: float = 0.0  # the scorer's probability that the page states this pair
    kinds: list[str] = field(default_factory=list)
    years: list[tuple[int, int, str]] = field(default_factory=list)  # (priority, year, kind)
    themes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        for kind in vocab.KIND_ORDER:
            if kind in self.kinds:
                return kind
        return "other"

    @property
    def year(self) -> int | None:
        kind = self.kind
        for wanted in ((3, kind), (3, None), (2, kind), (2, None)):
            years = [y for p, y, k in self.years if p == wanted[0] and (wanted[1] is None or k == wanted[1])]
            if years:
                return min(years)
        return None

    def as_dict(self, country_names: dict[str, str]) -> dict:
        return {
            "french_authority": self.french.name,
            "french_authority_kind": FRENCH_KINDS.get(self.french.kind, "other"),
            "foreign_authority": self.foreign.name,
            "country": country_names.get(self.foreign.iso2, self.foreign.iso2),
            "country_iso2": self.foreign.iso2 or None,
            "year": self.year,
            "kind": self.kind,
            "themes": list(dict.fromkeys(self.themes)),
            "confidence": round(self.confidence, 2),
            "evidence": {"text": self.evidence.text, "start": self.evidence.start, "end": self.evidence.end},
        }

    @property
    def confidence(self) -> float:
        return self.score


class Extractor:
    """Reads pages; one instance serves many pages (spaCy and the resolver are loaded once)."""

    def __init__(self, resolver: Resolver, nlp=None) -> None:
        self.resolver = resolver
        self.nlp = nlp
        self._cache: dict[tuple[str, str | None, str | None], Resolution | None] = {}
        self._compact: dict[str, object] | None = None  # French names without separators, built on demand

    # ---- the page ---------------------------------------------------------------------------

    def extract(self, page: Page, base_authority: str | None = None) -> list[Found]:
        """The pairs the page states, each scored; those the scorer doubts most are left out."""
        units, owner, found = self.candidates(page, base_authority)
        scorer.score(found.values())
        found = {key: item for key, item in found.items() if item.score >= scorer.PROPOSE}
        self._attribute(units, found, page)
        for item in found.values():  # the evidence quotes the page as written (a unit may be recast)
            item.evidence.text = page.text[item.evidence.start : item.evidence.end]
        return sorted(found.values(), key=lambda f: f.evidence.start)

    def candidates(
        self, page: Page, base_authority: str | None = None
    ) -> tuple[list[Unit], Mention | None, dict[tuple[str, str], Found]]:
        """Every pair the page could state, with its signals, not yet scored."""
        units = self._units(page)
        _PAGE_COUNTRIES.set(self._page_countries(units))
        _PAGE_WORDS.set(frozenset(re.findall(r"\b[a-zà-ÿœ][\w'’-]{2,}", page.text)))
        owner = self._owner(page, units, base_authority)
        memory = self._stated_places(units)
        for unit in units:
            unit.mentions = self._mentions(unit, memory)
        found: dict[tuple[str, str], Found] = {}
        section_french: dict[int, Mention] = {}
        section_relation: dict[int, bool] = {}
        for unit in units:
            if unit.kind == "heading" and unit.year_heading is None:
                french = [m for m in unit.mentions if m.french]
                if french:  # the section's first heading naming one (labels and country headings add)
                    section_french.setdefault(unit.section, french[0])
                relation = bool(vocab.RELATION.search(unit.norm))
                section_relation[unit.section] = section_relation.get(unit.section, False) or relation
        counts: dict[str, list] = {}
        for unit in units:
            for mention in unit.mentions:
                if mention.french and not mention.doubtful:
                    counts.setdefault(mention.key, [0, mention])[0] += 1
        # the French authority the page names most, when it names one far more than the others
        ranked = sorted(counts.values(), key=lambda c: -c[0])
        most = ranked[0][1] if ranked and (len(ranked) == 1 or ranked[0][0] >= 2 * ranked[1][0]) else None
        # the foreign place the page names most, when it names one far more than the others: the
        # page's own town on a page written from the other side ("Goch", "St Clement")
        abroad: dict[str, list] = {}
        for unit in units:
            for mention in unit.mentions:
                if not mention.french and not mention.doubtful:
                    abroad.setdefault(mention.key, [0, mention])[0] += 1
        ranked = sorted(abroad.values(), key=lambda c: -c[0])
        host = ranked[0][1] if ranked and (len(ranked) == 1 or ranked[0][0] >= 2 * ranked[1][0]) else None
        subjects: dict[int, dict[str, Mention]] = {}  # the French authorities each paragraph named
        partners: dict[int, dict[str, Mention]] = {}  # the foreign places each paragraph named
        previous: Mention | None = None  # the last French authority named before
        for unit in units:
            named = subjects.setdefault(unit.paragraph, {}) if unit.kind == "sentence" else {}
            subject = next(iter(named.values())) if len(named) == 1 else None
            others = [(previous, "previous"), (most, "page")]
            self._pairs(unit, found, owner, section_french, section_relation, subject, others)
            told = partners.setdefault(unit.paragraph, {}) if unit.kind == "sentence" else {}
            partner = next(iter(told.values())) if len(told) == 1 else None
            self._other_side_pairs(unit, found, [(partner, "partner_subject"), (host, "partner_page")])
            for mention in unit.mentions:
                if mention.french and unit.kind == "sentence":
                    named.setdefault(mention.key, mention)
                if not mention.french and unit.kind == "sentence":
                    told.setdefault(mention.key, mention)
                if mention.french:
                    previous = mention
        return units, owner, found

    def _other_side_pairs(
        self, unit: Unit, found: dict[tuple[str, str], Found], partners: list[tuple[Mention | None, str]]
    ) -> None:
        """A French authority named with a word of agreement in a unit that names no partner: the
        partner the paragraph or the page speaks of ("Angers (1974)" in Bamako's list of twins,
        "Partnerschaft mit Châteaudun" on Schweinfurt's page)."""
        french = [m for m in unit.mentions if m.french]
        if not french or not vocab.RELATION.search(unit.norm):
            return
        named = {m.key for m in unit.mentions if not m.french}
        shared = scorer.unit_signals(unit)
        for other, source in partners:
            if other is None or other.key in named:
                continue
            for side in french:
                signals = {**shared, **scorer.partner_signals(unit, other, located=False, cue_at=side)}
                signals.update(scorer.pair_signals(unit, side, other, source, unit.mentions))
                self._add(found, side, other, unit, signals)

    def _units(self, page: Page) -> list[Unit]:
        units: list[Unit] = []
        section, year, country = 0, None, None
        paragraphs: list[tuple[int, str, int, int]] = []  # (paragraph, line, start, section)
        for number, start, line, wrapped in _lines(page.text):
            stripped = line.strip()
            if not stripped or not re.search(r"\w", stripped):
                continue
            lead = len(line) - len(line.lstrip())
            start += lead
            end = start + len(stripped)
            bullet = _BULLET.match(stripped)
            prose = wrapped  # prose wrapped over several lines: one paragraph
            if wrapped:
                pass
            elif " | " in stripped:
                units.append(Unit(start, end, stripped, "row", section, number, year))
            elif bullet and len(stripped) > bullet.end():
                body = stripped[bullet.end() :]
                units.append(
                    Unit(start + bullet.end(), end, body, "item", section, number, year, country=country)
                )
            elif "\t" in stripped.strip("\t"):  # a table pasted as text: cells between tabs
                # "|" for each tab keeps the row's length: offsets in the unit stay offsets in the page
                units.append(Unit(start, end, stripped.replace("\t", "|"), "row", section, number, year))
            elif len(stripped) <= 160 and self._is_entry(stripped):
                # "Viersen (Allemagne)", "Allemagne : Viersen" on a line of its own: a list entry
                units.append(Unit(start, end, stripped, "item", section, number, year, country=country))
            elif self._is_heading(stripped):
                if (found_year := heading_year(stripped)) is not None:
                    year = found_year
                    units.append(Unit(start, end, stripped, "heading", section, number, found_year))
                    continue
                if (code := country_code(stripped.strip(" :–—-"))) and code != "FR":
                    # a country heading ("Allemagne") over the entries of that country
                    country = code
                    units.append(Unit(start, end, stripped, "heading", section, number, year))
                    continue
                if stripped.endswith(":") and len(stripped.split()) <= 6 and not year:
                    # a field label ("Thématiques traitées :"): the section goes on
                    units.append(Unit(start, end, stripped, "heading", section, number))
                    continue
                section += 1
                year, country = None, None
                units.append(Unit(start, end, stripped, "heading", section, number))
            else:
                prose = True
            if prose:
                # spaCy reads a long paragraph in pieces of a few thousand characters (memory)
                for index, (shift, piece) in enumerate(_pieces(stripped)):
                    key = number * 1000 + min(index, 999)
                    paragraphs.append((key, piece, start + shift, section))
                    units.append(
                        Unit(
                            start + shift, start + shift + len(piece), piece, "paragraph", section, key, year
                        )
                    )
        sentences = self._sentences([text for _, text, _, _ in paragraphs])
        by_paragraph = {number: spans for (number, _, _, _), spans in zip(paragraphs, sentences, strict=True)}
        result: list[Unit] = []
        for unit in units:
            if unit.kind != "paragraph":
                result.append(unit)
                continue
            spans, people, tree = by_paragraph[unit.paragraph]
            for s, e in spans:
                text = unit.text[s:e]
                sentence = Unit(
                    unit.start + s, unit.start + e, text, "sentence", unit.section, unit.paragraph
                )
                sentence.people = [(a - s, b - s) for a, b in people if s <= a and b <= e]
                if tree is not None:
                    sentence.tree, sentence.tree_shift = tree, unit.start
                result.append(sentence)
        for unit in result:
            unit.norm = normalise_keep(unit.text)
        return result

    def _is_entry(self, line: str) -> bool:
        """A line that opens with a place and its country, or a country and a place."""
        match = NAME.search(line)
        if match is None or not _ITEM_LEAD.match(normalise_keep(line[: match.start()])):
            return False
        if _is_country(match.group(0)):
            return bool(re.match(r"\s*[:–—]\s*[A-ZÀ-ÖØ-Þ]", line[match.end() :]))
        after = line[match.end() :]
        separated = _AFTER_PAREN.match(after) or _AFTER_DASH.match(after) or _AFTER_COMMA.match(after)
        return bool(separated and self._stated_country(line, match.end()))

    @staticmethod
    def _is_heading(line: str) -> bool:
        words = line.split()
        if len(words) > HEADING_MAX_WORDS or len(line) > 120:
            return False
        return not re.search(r"[.;]\s*$", line) or len(words) <= 3

    def _sentences(
        self, paragraphs: list[str]
    ) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]], Tree | None]]:
        """Return each paragraph's sentences as (start, end) offsets, cut by spaCy, the people
        its entity recogniser names (PER entities: "Zakari Boukari") and, where the language's
        pipeline parses, its dependency tree."""
        if self.nlp is None:
            return [(_rule_sentences(text), [], None) for text in paragraphs]
        parses = self.nlp.has_pipe("parser")
        result = []
        for doc in self.nlp.pipe(paragraphs, batch_size=16):
            spans = [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
            people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PER"]
            tree = None
            if parses:
                tree = Tree(
                    array("i", (t.idx for t in doc)),
                    array("i", (t.head.i for t in doc)),
                    bytes(bool(vocab.RELATION.search(normalise_keep(t.text))) for t in doc),
                )
            result.append((_merge_short(spans, doc.text), people, tree))
        return result

    # ---- names --------------------------------------------------------------------------------

    def _owner(self, page: Page, units: list[Unit], base_authority: str | None) -> Mention | None:
        """The page's own French authority: given, in its address, or in a heading about its
        partnerships ("Villes jumelles de X", "Relations internationales X - Y")."""
        if base_authority:
            mention = self._french(base_authority, 0, 0, prefixed=True)
            if mention is None:
                written = vocab.GENERIC_PREFIX.sub("", base_authority).strip()
                mention = Mention(0, 0, base_authority, written, "FR", "other", True, False, 0.5)
            return mention
        for text in [page.title] + [u.text for u in units if u.kind == "heading"][:40]:
            folded = normalise_keep(text)
            if not _OWNER_HEADING.search(folded):
                continue
            for match in NAME.finditer(text):
                if normalise(match.group(0)) in vocab.NOT_NAMES:
                    continue
                mention = self._french(match.group(0), 0, 0, prefixed=False)
                if mention is not None and not mention.doubtful:  # "Villes", "Jumelles" are words
                    return mention
        if page.url:
            for part in _url_names(page.url):
                mention = self._french(part, 0, 0, prefixed=True) or self._compact_french(part)
                if mention is not None:
                    return mention
        if _OUR.search(normalise_keep(page.text[:20000])):
            counts: dict[str, tuple[int, Mention]] = {}
            for match in NAME.finditer(page.text[:20000]):
                mention = self._french(match.group(0), 0, 0, prefixed=False)
                if mention is not None and not mention.doubtful:
                    n, _ = counts.get(mention.key, (0, mention))
                    counts[mention.key] = (n + 1, mention)
            if counts:
                return max(counts.values(), key=lambda c: c[0])[1]
        return None

    def _compact_french(self, word: str) -> Mention | None:
        """A French authority whose name is written without separators, as in web addresses
        ("hautsdefrance", "saintherblain"): regions, départements, EPCIs and towns of 5,000+."""
        if self._compact is None:
            self._compact = {}
            for place in self.resolver.gazetteer.places:
                if place.country_iso2 == "FR" and (
                    place.kind in ("region", "departement", "epci") or (place.population or 0) >= 5000
                ):
                    self._compact.setdefault(normalise(place.name).replace(" ", ""), place)
        place = self._compact.get(normalise(word).replace(" ", ""))
        if place is None:
            return None
        return Mention(0, 0, word, place.name, "FR", place.kind, True, False, 0.8)

    @staticmethod
    def _page_countries(units: list[Unit]) -> frozenset[str]:
        """The foreign countries the page names ("Royaume-Uni", "Irlande"): a name several
        countries share is read as the one in them ("Kent", "Hampshire" on a page about England)."""
        found = set()
        for unit in units:
            for match in NAME.finditer(unit.text):
                code = country_code(match.group(0)) if _is_country(match.group(0)) else None
                if code and code != "FR":
                    found.add(code)
        return frozenset(found)

    def _stated_places(self, units: list[Unit]) -> dict[str, Mention]:
        """Names written somewhere on the page with their country: "Birmingham (Royaume-Uni)"
        tells which Birmingham a later "Birmingham" is."""
        memory: dict[str, Mention] = {}
        for unit in units:
            for match in NAME.finditer(unit.text):
                country = self._stated_country(unit.text, match.end(), match.start())
                if country and country != "FR":
                    mention = self._foreign(match.group(0), country, 0, 0, stated=True)
                    if mention is not None:
                        memory.setdefault(normalise(_clean(match.group(0))), mention)
        return memory

    def _mentions(self, unit: Unit, memory: dict[str, Mention]) -> list[Mention]:
        """The places a unit names, left to right, each resolved once (the longest name wins)."""
        spans: list[tuple[int, int, str, str | None, bool]] = []  # start, end, text, level, prefixed
        for match in PREFIXED.finditer(unit.text):
            level = normalise(match["level"])
            spans.append((match.start("name"), match.end("name"), match["name"], level, True))
        for match in NAME.finditer(unit.text):
            spans.append((match.start(), match.end(), match.group(0), None, False))
        for match in _EPCI_SPAN.finditer(unit.text):
            spans.append((match.start(), match.end(), match.group(0), "epci", True))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        mentions: list[Mention] = []
        covered_until = -1
        for start, end, text, level, prefixed in spans:
            if start < covered_until:
                continue
            two = _JOINS.search(text) and any(
                self._french(part, 0, 0, prefixed=False) for part in _JOINS.split(text)
            )
            mention = None if two else self._mention(unit, start, end, text, level, prefixed, memory)
            if mention is not None:
                mentions.append(mention)
                covered_until = end
                continue
            words = text.split(" ", 1)
            if len(words) == 2 and not prefixed and _is_stop_word(words[0]):
                # a capitalised word opening the sentence ("Ob Berlin", "Depuis Cork"): the rest
                shift = len(words[0]) + 1
                found = self._mention(unit, start + shift, end, words[1], level, prefixed, memory)
                if found is not None:
                    mentions.append(found)
                    covered_until = end
                    continue
            if rest := _after_common_words(text):
                # "Comité de Jumelage Sisteron", "Bürgermeister von Montbéliard": the name after them
                shift = len(text) - len(rest)
                found = self._mention(
                    unit, start + shift, end, rest, level, prefixed, memory, after_words=start
                )
                if found is not None:
                    mentions.append(found)
                    covered_until = end
                    continue
            if halves := self._dash_pair(unit, start, end, text, memory):
                mentions.extend(halves)  # "Kiel-Brest", "Jugon Les Lacs-Namur": two names
                covered_until = end
                continue
            if _JOINS.search(text):  # "Rennes and Sendai": two names
                position = 0
                for index, part in enumerate(_JOINS.split(text)):
                    offset = text.index(part, position)
                    position = offset + len(part)
                    first = index == 0 and prefixed
                    found = self._mention(
                        unit, start + offset, start + position, part, level if first else None, first, memory
                    )
                    if found is not None:
                        mentions.append(found)
                covered_until = end
            elif prefixed:
                covered_until = end
        return mentions

    def _dash_pair(self, unit: Unit, start: int, end: int, text: str, memory: dict) -> list[Mention]:
        """Two places joined by a hyphen, one French, one not ("Kiel-Brest", "Dinan-Dinant")."""
        if _is_country(text):
            return []
        for match in re.finditer(r"-", text):
            left, right = text[: match.start()], text[match.end() :]
            if not (left[:1].isupper() and right[:1].isupper()):
                continue
            if _NAME_JOINT.search(left) or _NAME_JOINT.match(right):
                continue  # "Wépion-sur-Meuse", "Saint-Jean-de-Luz": one name
            first = self._mention(unit, start, start + len(left), left, None, False, memory)
            second = self._mention(unit, start + match.end(), end, right, None, False, memory)
            if first is None or second is None or first.doubtful or second.doubtful:
                continue  # "Cap-Vert" is no "Cap" and "Vert"
            if first.french != second.french:
                return [first, second]
        return []

    def _mention(
        self,
        unit: Unit,
        start: int,
        end: int,
        text: str,
        level: str | None,
        prefixed: bool,
        memory: dict[str, Mention],
        *,
        after_words: int | None = None,
    ) -> Mention | None:
        """`after_words`: the name follows common words from that offset ("Comité de Jumelage
        Sisteron"); a person spaCy saw across those words ("Jumelage Sisteron") is its misreading."""
        absolute = unit.start + start, unit.start + end
        if level == "epci":  # "Communauté urbaine de Dunkerque": the EPCI, not its town
            return self._french(text, *absolute, prefixed=True)
        if level == "metropole":  # "la Métropole de Lyon", "Brest métropole": the EPCI
            for name in (f"Métropole de {_clean(text)}", f"{_clean(text)} Métropole"):
                found = self._resolve(name, "FR")
                if found is not None and found.match is not None and found.match.kind == "epci":
                    place = found.match
                    return Mention(*absolute, text, place.name, "FR", "epci", True, True, found.confidence)
        cleaned = _clean(text)
        if cleaned != text.strip(" .,:;-–") and (epci := self._epci_named(text)) is not None:
            return Mention(*absolute, text, epci.name, "FR", "epci", True, True, 0.95)  # "Métropole de Lyon"
        key = normalise(cleaned)
        if not key or key in vocab.NOT_NAMES or (_is_country(cleaned) and not prefixed):
            return None
        if start <= 2 and _DATELINE_AFTER.match(unit.text[end:]):
            return None  # "Bordeaux, le 14 mars 2023 — …": the dateline
        country = self._stated_country(unit.text, end, start)
        if unit.kind == "row" and country is None:
            country = _row_country(unit.text)
        if unit.kind == "item" and country is None and unit.country and start < 4:
            country = unit.country
        if country == "FR":
            return self._french(cleaned, *absolute, prefixed=True)
        if country:
            return self._foreign(cleaned, country, *absolute, stated=True, level=level)
        if key in memory:
            known = memory[key]
            return Mention(*absolute, text, known.name, known.iso2, known.kind, False, True, known.confidence)
        if not prefixed and any(
            a <= start and end <= b and (after_words is None or a >= start) for a, b in unit.people
        ):
            return None  # inside a person's name for spaCy ("Florence Parly"), with no country beside it
        single = " " not in cleaned and "-" not in cleaned and "'" not in cleaned
        if cleaned.isupper() and len(cleaned) >= 5 and unit.text.upper() == unit.text:
            cleaned = cleaned.title()  # a line in capitals: "DINAN – LUGO"
        if not prefixed and single and (len(cleaned) < 3 or _is_stop_word(cleaned) or cleaned.isupper()):
            return None
        french = self._french(cleaned, *absolute, prefixed=prefixed or not single)
        if french is not None and (
            french.doubtful or (french.kind == "commune" and french.population < LARGE_COMMUNE)
        ):
            # a village of France or a foreign town of that name: the town, when it is one
            # ("Montréal", "Bologne") — a foreign city far larger, or any for a doubted name
            foreign = self._foreign(cleaned, None, *absolute, stated=False, level=level, strict=True)
            if foreign is not None and (
                french.doubtful or foreign.population >= FOREIGN_DOMINANCE * max(french.population, 1)
            ):
                return foreign
        if french is not None:
            return french
        return self._foreign(cleaned, None, *absolute, stated=False, level=level, strict=not prefixed)

    def _epci_named(self, text: str):
        """The EPCI a whole phrase names exactly ("la Métropole de Lyon"), else None."""
        phrase = re.sub(r"^(?:la|le|l'|the)\s*", "", text.strip(), flags=re.IGNORECASE)
        found = self._resolve(phrase, "FR")
        if found is None or found.match is None or found.match.kind != "epci":
            return None
        return found.match if normalise(found.match.name) == normalise(phrase) else None

    def _stated_country(self, text: str, end: int, start: int | None = None) -> str | None:
        rest = text[end : end + 60]
        for pattern in (_AFTER_PAREN, _AFTER_IN, _AFTER_COMMA, _AFTER_DASH):
            match = pattern.match(rest)
            if (
                match
                and pattern is _AFTER_COMMA
                and (
                    re.match(r"\s+[A-ZÀ-ÖØ-Þ]", rest[match.end() :])
                    or normalise(match["c"]) in FIRST_NAME_COUNTRIES
                )
            ):
                continue  # "la Ville de Cannes, Dominique Paravisini": a person, not Dominica
            if match:
                code = country_code(match["c"])
                if code:
                    return code
        if start is not None and (match := _DEMONYM_BEFORE.search(text[max(0, start - 50) : start])):
            return vocab.demonym_country(match["adj"] or match["en"])
        if start is not None and (match := _COUNTRY_BEFORE.match(text[:start])):
            return country_code(match["c"])
        return None

    def _resolve(self, name: str, country: str | None, kind: str | None = None) -> Resolution | None:
        key = (name, country, kind)
        if key not in self._cache:
            if len(self._cache) > RESOLUTION_CACHE:  # a server reads page after page
                self._cache.clear()
            try:
                self._cache[key] = self.resolver.resolve(name, country=country, kind=kind)
            except UnknownCountry:
                self._cache[key] = None
        return self._cache[key]

    def _french(self, name: str, start: int, end: int, *, prefixed: bool) -> Mention | None:
        written = name
        name = _clean(name)
        name = vocab.FRENCH_EXONYMS.get(re.sub(r"^the |\s+region$", "", normalise(name)), name)
        if epci := _EPCI.match(
            written.strip()
        ):  # "Communauté d'agglomération du Pays Basque" → "CA du Pays Basque"
            result = self._resolve(f"{_EPCI_ABBREVIATIONS[normalise(epci['kind'])]} {epci['rest']}", "FR")
            if result is None or result.match is None or result.match.kind != "epci":
                return None
            # the geography's own name, so that an accepted candidate finds its EPCI
            return Mention(
                start, end, written, result.match.name, "FR", "epci", True, True, result.confidence
            )
        if (former := vocab.former_region(name, prefixed=prefixed)) is not None:
            return Mention(start, end, name, former, "FR", "region", True, prefixed, 0.9)
        result = self._resolve(name, "FR")
        if result is not None and result.is_ambiguous and (largest := _dominant(result)) is not None:
            # "Poligny": the Jura's town of 4,000, not the villages of that name
            result = Resolution(result.query, largest, 0.6, result.reason, result.candidates)
        if result is None or result.match is None:
            result = self._area(name) or result
        if result is None or result.match is None or result.match.kind not in FRENCH_KINDS:
            return None
        place = result.match
        if place.kind == "commune" and (place.population or 0) < LARGE_COMMUNE:
            # "Corrèze", "Creuse", "Aveyron": the département, not the village of that name
            area = self._area(name)
            if area is not None:
                result, place = area, area.match
        if result.reason.startswith(FUZZY) and not prefixed:
            return None  # a misspelling guessed by fuzzy search: not without a "ville de" before it
        former = place.kind == "commune" and result.reason.startswith(_OTHER_NAME)
        if not prefixed and _bare(place.name) != _bare(name) and not former:
            # "Port" is not "Le Port", "Boulogne" not "Boulogne-Billancourt"; "Oullins" is the
            # former name of Oullins-Pierre-Bénite (a commune's only other names are former ones)
            return None
        if _bare(name) == normalise(place.name) != normalise(name):  # "L'Aveyron", "la Bretagne"
            name = re.sub(r"^(?:l['’]\s*|(?:le|la|les)\s+)", "", name, flags=re.IGNORECASE)
        # small communes are named like common words ("Étoile", "Union"): kept, but doubted
        doubtful = not prefixed and place.kind == "commune" and (place.population or 0) < SMALL_COMMUNE
        return Mention(
            start,
            end,
            name,
            _spelling(name, place.name),
            "FR",
            place.kind,
            True,
            prefixed,
            min(result.confidence, 0.5) if doubtful else result.confidence,
            doubtful=doubtful,
            population=place.population or 0,
        )

    def _area(self, name: str) -> Resolution | None:
        """The French département or région named exactly `name`, if there is one."""
        for kind in ("departement", "region"):
            found = self._resolve(name, "FR", kind)
            if found is not None and found.match is not None and found.match.kind == kind:
                if _bare(found.match.name) == _bare(name):
                    return found
        return None

    def _foreign(
        self,
        name: str,
        country: str | None,
        start: int,
        end: int,
        *,
        stated: bool,
        level: str | None = None,
        strict: bool = False,
    ) -> Mention | None:
        name = _clean(name)
        hint = vocab.LEVEL_WORDS.get(level or "")
        result = self._resolve(name, country, hint)
        if result is not None and result.match is None and hint:
            result = self._resolve(name, country)
        place = result.match if result is not None else None
        doubtful = False
        if country is None and result is not None and (named := _PAGE_COUNTRIES.get()):
            # homonyms in the countries the page names win: "Kent" in England, not in Ohio
            inside = [
                c.place
                for c in result.candidates
                if c.place.country_iso2 in named and _bare(c.place.name) == _bare(name)
            ]
            if inside and (place is None or place.country_iso2 not in named):
                place = max(inside, key=lambda p: p.population or 0)
                doubtful = result.match is None
        if place is None and result is not None and result.is_ambiguous:
            place = _dominant(result, abroad=True)  # "Colchester": the English town, not the Vermont one
            doubtful = place is not None
        if place is None and (area := vocab.foreign_area(name, country)) is not None:
            # "Bavière", "Rhénanie-Palatinat", "Małopolska": a region ISO 3166-2 names
            return Mention(start, end, name, area[1], area[0], "admin1", False, stated, 0.7, level)
        if place is not None and place.country_iso2 == "FR":
            return None
        if place is None:
            if country and not _JOINS.search(name):  # a name with its country beside it: kept as written
                return Mention(start, end, name, name, country, "other", False, True, 0.4, level)
            return None
        if strict and not doubtful and (result.reason.startswith(FUZZY) or result.confidence < 0.8):
            return None
        if not country and " " not in name and name.lower() in _PAGE_WORDS.get():
            doubtful = True
        if "partie du nom" in result.reason:  # "Hammersmith & Fulham" is not Fulham
            if not country:
                return None
            return Mention(start, end, name, name, country, "other", False, True, 0.5, level)
        return Mention(
            start,
            end,
            name,
            _spelling(name, place.name),
            place.country_iso2,
            place.kind,
            False,
            stated,
            0.5 if doubtful else result.confidence,
            level,
            doubtful=doubtful,
            population=place.population or 0,
        )

    # ---- pairs ----------------------------------------------------------------------------------

    def _pairs(
        self,
        unit: Unit,
        found: dict[tuple[str, str], Found],
        owner: Mention | None,
        section_french: dict[int, Mention],
        section_relation: dict[int, bool],
        subject: Mention | None = None,
        others: list[tuple[Mention | None, str]] = (),
    ) -> None:
        """Every (French, foreign) pair the unit could state, each with the signals the scorer
        weighs (scorer.py): the rules below say which pairs they would make and how strongly;
        the scorer, trained on labelled pages, decides."""
        french = [m for m in unit.mentions if m.french]
        foreign = [m for m in unit.mentions if not m.french]
        if not foreign:
            return
        section = section_french.get(unit.section)
        context = subject or section or owner
        rules = self._rule_pairs(unit, french, foreign, context, section_relation)
        shared = scorer.unit_signals(unit)
        for other in foreign:
            shared_other = scorer.partner_signals(unit, other, located=self._locates(unit, other))
            sides: list[tuple[Mention, str]] = [(m, "unit") for m in french]
            named = {m.key for m in french}
            for side, source in ((subject, "subject"), (section, "section"), (owner, "owner"), *others):
                if side is not None and side.key not in named:
                    named.add(side.key)
                    sides.append((side, source))
            for side, source in sides:
                if source == "unit" and _other_clause(unit, side, other):
                    continue  # "Rennes, jumelée avec Cork, Ploemeur, jumelée avec Fermoy": not Rennes–Fermoy
                signals = {**shared, **shared_other}
                signals.update(scorer.pair_signals(unit, side, other, source, unit.mentions))
                signals["rule"] = rules.get((side.key, other.key), 0.0)
                self._add(found, side, other, unit, signals)

    def _rule_pairs(
        self,
        unit: Unit,
        french: list[Mention],
        foreign: list[Mention],
        context: Mention | None,
        section_relation: dict[int, bool],
    ) -> dict[tuple[str, str], float]:
        """The pairs the hand-written rules make in `unit`, with their strength."""
        made: dict[tuple[str, str], float] = {}
        foreign = [m for m in foreign if not self._locates(unit, m)]
        if not foreign:
            return made
        relation = bool(vocab.RELATION.search(unit.norm))
        network = bool(vocab.NOT_PARTNERS.search(unit.norm))
        if unit.kind in ("item", "row"):
            first = foreign[0]
            before = unit.text[: first.start - unit.start]
            if unit.kind == "row":  # the partner opens its own cell
                before = before[before.rfind("|") + 1 :]
            led = _ITEM_LEAD.match(normalise_keep(before)) or _COUNTRY_BEFORE.match(before)
            if not led or not first.stated_country:
                return made
            if not (section_relation.get(unit.section) or relation or unit.year_heading):
                return made
            earlier = [m for m in french if m.start < first.start]
            side = earlier[0] if earlier else context
            if side is not None:
                made[(side.key, first.key)] = 0.9
            return made
        if unit.kind == "heading":
            if french and re.search(r"\s(?:et|and|-|–|—|avec|with|&)\s", unit.text):
                for other in foreign:
                    made[(french[0].key, other.key)] = 0.8
            return made
        if not relation or vocab.DENIED.search(unit.norm):
            return made
        named = any(kind != "other" and pattern.search(unit.norm) for kind, pattern in vocab.KIND_PATTERNS)
        if network or (vocab.VISITS.search(unit.norm) and not named):
            return made
        for side in french or ([context] if context is not None else []):
            for other in foreign:
                made[(side.key, other.key)] = 0.8 if french else 0.6
        return made

    @staticmethod
    def _locates(unit: Unit, mention: Mention) -> bool:
        """A place written to locate another one, or the seat of an actor that is no authority."""
        before = unit.text[max(0, mention.start - unit.start - 45) : mention.start - unit.start]
        return bool(_LOCATOR_BEFORE.search(before) or _ACTOR_BEFORE.search(before))

    @staticmethod
    def _add(found: dict, french: Mention, foreign: Mention, unit: Unit, signals: dict[str, float]) -> None:
        key = (french.key, foreign.key)
        current = found.get(key)
        if current is None:
            found[key] = Found(french, foreign, Evidence(unit.text, unit.start, unit.end), signals, [signals])
            return
        current.occurrences.append(signals)
        # the evidence is the unit the rules trust most, else the first naming both sides
        if scorer.evidence_rank(signals) > scorer.evidence_rank(current.signals):
            current.evidence = Evidence(unit.text, unit.start, unit.end)
        current.signals = scorer.combine(current.signals, signals)
        if foreign.stated_country and not current.foreign.stated_country:
            current.foreign = foreign

    # ---- kinds, years, themes -----------------------------------------------------------------

    def _attribute(self, units: list[Unit], found: dict[tuple[str, str], Found], page: Page) -> None:
        by_foreign: dict[str, list[Found]] = {}
        for item in found.values():
            by_foreign.setdefault(item.foreign.key, []).append(item)
        by_section: dict[int, set[tuple[str, str]]] = {}
        for unit in units:
            for item in self._named_pairs(unit, found, by_foreign):
                by_section.setdefault(unit.section, set()).add((item.french.key, item.foreign.key))
        single_page = next(iter(found.values())) if len(found) == 1 else None
        section_kind: dict[int, str] = {}
        previous: Unit | None = None
        for unit in units:
            targets = self._named_pairs(unit, found, by_foreign)
            if not targets:
                keys = by_section.get(unit.section, set())
                if len(keys) == 1:
                    targets = [found[next(iter(keys))]]
                elif single_page is not None:
                    targets = [single_page]
                # a unit about other places says nothing of this pair
                targets = [
                    item
                    for item in targets
                    if all(m.key in (item.french.key, item.foreign.key) for m in unit.mentions)
                ]
            kinds = _stated_kinds(unit.norm)
            if unit.kind == "heading" and unit.year_heading is None and kinds:
                section_kind.setdefault(unit.section, kinds[0])  # the heading that opened the section
            network = bool(vocab.NOT_PARTNERS.search(unit.norm))
            if unit.kind in ("item", "row") and unit.section in section_kind:
                kinds = [section_kind[unit.section], *kinds]
            years = self._years(unit, page, kinds, previous)
            masked = _masked(unit)  # the words around the names ("Communauté urbaine" is no urbanism)
            themes = [tag for tag, pattern in vocab.THEME_PATTERNS.items() if pattern.search(masked)]
            if unit.kind in ("item", "row") and any(not m.french for m in unit.mentions):
                themes = []  # an entry's words describe the town ("port … patrimoine"), not the partnership
            for item in targets:
                if network and unit.kind == "sentence":
                    continue
                item.kinds.extend(kinds)
                item.years.extend(y[:3] for y in self._own_years(unit, item, targets, years))
                item.themes.extend(themes)
            previous = unit
        page_kind = _page_kind(page, units)
        for item in found.values():
            if page_kind and item.kind == "other":
                item.kinds.append(page_kind)  # a page about twinnings: its pairs are twinnings

    @staticmethod
    def _own_years(unit: Unit, item: Found, targets: list[Found], years: list) -> list:
        """In a sentence about several partners, each year goes to the partner written nearest
        to it ("depuis 2009 avec Cuenca et depuis 2015 avec Mopti")."""
        partners = {t.foreign.key for t in targets}
        mentions = [m for m in unit.mentions if not m.french and m.key in partners]
        if len(partners) < 2 or len(years) < 2 or not mentions:
            return years
        cuts = [0, *(m.end() for m in _CLAUSE_CUT.finditer(unit.text)), len(unit.text) + 1]

        def clause(offset: int) -> int:
            return next(i for i in range(len(cuts) - 1) if offset < cuts[i + 1])

        own = []
        for year in years:
            if year[3] < 0:
                own.append(year)
                continue
            same = [m for m in mentions if clause(m.start - unit.start) == clause(year[3])]
            at = unit.start + year[3]
            nearest = min(same or mentions, key=lambda m: min(abs(m.start - at), abs(m.end - at)))
            if nearest.key == item.foreign.key:
                own.append(year)
        return own

    @staticmethod
    def _named_pairs(unit: Unit, found: dict, by_foreign: dict) -> list[Found]:
        """The pairs whose partner the unit names (with its French side, when it names one)."""
        keys = {m.key for m in unit.mentions if not m.french}
        pairs = [item for key in keys for item in by_foreign.get(key, [])]
        french = {m.key for m in unit.mentions if m.french}
        if french:
            pairs = [item for item in pairs if item.french.key in french] or pairs
        return pairs

    def _years(
        self, unit: Unit, page: Page, kinds: list[str], previous: Unit | None
    ) -> list[tuple[int, int, str, int]]:
        """The years `unit` gives for a partnership, as (priority, year, kind, offset in the unit
        or -1): 3 for the founding act, 2 for the start of the relation; other years are not
        partnership years."""
        kind = next((k for k in vocab.KIND_ORDER if k in kinds), "other")
        mentions = find_years(unit.text, page.published)
        if unit.year_heading is not None and unit.kind in ("item", "row") and not mentions:
            return [(3, unit.year_heading, kind, -1)]  # the year heading above, unless the entry has its own
        if vocab.NOT_PARTNERS.search(unit.norm):
            return []
        result = []
        for index, mention in enumerate(mentions):
            window = _window(unit.text, mention, mentions[index - 1] if index else None)
            folded = normalise_keep(window)
            if vocab.NOT_FOUNDING.search(folded):
                continue
            listed = unit.kind in ("item", "row") and mention.start < 60  # "• 1962 : Bad Homburg (…)"
            if vocab.FOUNDING.search(folded) or listed or _pair_line(unit):
                result.append((3, mention.year, kind, mention.start))
            elif vocab.START.search(folded):
                result.append((2, mention.year, kind, mention.start))
            elif kind != "other" and _year_of_a_partner(unit, mention):
                # "après la ville anglaise d'Haverhill en 1977, la ville allemande d'Egelsbach en 1991"
                result.append((2, mention.year, kind, mention.start))
            elif (
                len(mentions) == 1
                and vocab.FOUNDING.search(unit.norm)
                and not vocab.NOT_FOUNDING.search(unit.norm)
            ):
                # "Ce jeudi 21 novembre, une nouvelle étape … avec la signature d'un protocole"
                result.append((3, mention.year, kind, mention.start))
        if not mentions and vocab.FOUNDING.search(unit.norm) and kind != "other" and previous is not None:
            # "Le 22 novembre dernier, … entre A et B. Une convention de coopération a été signée."
            if previous.paragraph == unit.paragraph and previous.kind == "sentence":
                dated = [
                    m for m in find_years(previous.text, page.published) if m.relative or m.end - m.start > 4
                ]
                if dated and not vocab.NOT_FOUNDING.search(previous.norm):
                    result.append((3, dated[0].year, kind, -1))
        return result


def _other_clause(unit: Unit, side: Mention, other: Mention) -> bool:
    """Whether another French authority stands between the two names with its own word of
    agreement before the partner: the partner is that authority's."""
    if side.start > other.start:
        return False
    for mention in unit.mentions:
        if mention.french and side.end <= mention.start and mention.end <= other.start:
            after = unit.text[mention.end - unit.start : other.start - unit.start]
            if vocab.RELATION.search(normalise_keep(after)):
                return True
    return False


# The particles that join the words of one name: "Wépion-sur-Meuse" is no pair of names.
_NAME_JOINT = re.compile(
    r"(?:^|-)(?:sur|sous|en|le|la|les|de|du|des|lès|lez|aux?|am|an|im|on|upon|under|saint|sainte|st|ste"
    r"|san|santa|sankt|bad|le|d'|l')-?$",
    re.IGNORECASE,
)


def _after_common_words(text: str) -> str | None:
    """What follows the common words that open a capitalised phrase ("Comité de Jumelage
    Sisteron" → "Sisteron"), when it starts with a capital; None when the phrase opens on a name."""
    words = text.split()
    index = 0
    while index < len(words) - 1 and (
        normalise(words[index]) in vocab.NOT_NAMES
        or normalise(words[index]) in vocab.TITLES
        or re.fullmatch(_PARTICLE, words[index], flags=re.IGNORECASE)
    ):
        index += 1
    if index == 0 or not words[index][:1].isupper():
        return None
    return text[text.index(words[index], len(" ".join(words[:index]))) :]


_OTHER_NAME = ("exonyme ou autre nom", "autre graphie")


def _dominant(result: Resolution, *, abroad: bool = False):
    """Among homonyms, the largest when they all lie in one country ("Hollywood") or when it is at
    least three times as large as every other ("Limerick" in Ireland, not in Pennsylvania). Abroad,
    sizes are weighed by how often French authorities twin with each country ("Dundee" in
    Scotland, not in South Africa; "Andover" in Hampshire, not in Massachusetts)."""
    same = [c.place for c in result.candidates if _bare(c.place.name) == _bare(result.query)]
    if not same:
        return None

    def weight(place) -> float:
        size = max(place.population or 0, 1000)
        return size * vocab.partner_country_weight(place.country_iso2) if abroad else size

    same.sort(key=lambda p: -weight(p))
    if len({p.country_iso2 for p in same}) == 1:
        return same[0]
    if weight(same[0]) >= 3 * weight(same[1]):
        return same[0]
    return None


def _masked(unit: Unit) -> str:
    """The unit's folded text with the places it names blanked out."""
    text = unit.text
    for mention in unit.mentions:
        a, b = mention.start - unit.start, mention.end - unit.start
        if 0 <= a < b <= len(text):
            text = text[:a] + " " * (b - a) + text[b:]
    return normalise_keep(text)


# A kind spoken of as a future or a wish ("un pacte d'amitié, prélude à un futur jumelage",
# "en vue d'un jumelage"): not the relation the page states.
_NOT_YET = re.compile(
    r"(?:en vue d'|vers |futur\w* |prochain\w* |avant |prelude a |prealable a |preparer |projet de "
    r"|envisag\w* |pourrai\w* |souhait\w* |aboutir a |deboucher sur |etape vers |possible "
    r"|towards |future |possible |planned |proposed )(?:un |une |le |la |l'|a |an )?$"
)


def _stated_kinds(norm: str) -> list[str]:
    """The kinds of agreement a folded unit states, in the vocabulary's order."""
    kinds = []
    for kind, pattern in vocab.KIND_PATTERNS:
        if any(not _NOT_YET.search(norm[max(0, m.start() - 30) : m.start()]) for m in pattern.finditer(norm)):
            kinds.append(kind)
    return kinds


def _page_kind(page: Page, units: list[Unit]) -> str | None:
    """The one kind of agreement a page speaks of, if it speaks of one far more than of the others:
    the kind of its title, else the kind of at least four in five of its words of agreement."""
    named = [
        k for k, pattern in vocab.KIND_PATTERNS if k != "other" and pattern.search(normalise_keep(page.title))
    ]
    if len(named) == 1:
        return named[0]
    counts: dict[str, int] = {}
    for unit in units:
        for kind, pattern in vocab.KIND_PATTERNS:
            if kind != "other":
                counts[kind] = counts.get(kind, 0) + len(pattern.findall(unit.norm))
    total = sum(counts.values())
    if total < 2:
        return None
    kind, count = max(counts.items(), key=lambda c: c[1])
    return kind if count >= 0.8 * total else None


def _lines(text: str):
    """The page's lines as (number, start offset, text, wrapped); prose cut by hard line breaks
    (copies of PDFs and printed pages: a line ending without punctuation, the next one going on
    in lower case) comes as one line holding its breaks, wrapped=True."""
    lines = text.split("\n")
    offset, index = 0, 0
    while index < len(lines):
        start, block = offset, lines[index]
        number = index
        while (
            index + 1 < len(lines)
            and block.strip()
            and not re.search(r"[.!?:;|]\s*$", block)
            and re.match(r"\s*[a-zà-ÿœ(]", lines[index + 1])
            and not _BULLET.match(lines[index + 1].strip())
        ):
            index += 1
            block += "\n" + lines[index]
        offset = start + len(block) + 1
        yield number, start, block, "\n" in block
        index += 1


def _pair_line(unit: Unit) -> bool:
    """A short line naming one French and one foreign place: "Montbéliard - Ludwigsburg (1950)"."""
    if len(unit.text) > 100 or unit.kind == "sentence":
        return False
    french = sum(m.french for m in unit.mentions)
    return french == 1 and len(unit.mentions) - french == 1


def _year_of_a_partner(unit: Unit, mention: YearMention) -> bool:
    """A year introduced by "en", "in", "dès" right after a foreign place of the unit."""
    if not re.search(
        r"(?:\ben|\bin|\bdes|\bim jahre?|\bdal|\bdesde)\s*$", normalise_keep(unit.text[: mention.start])
    ):
        return False
    at = unit.start + mention.start
    return any(not m.french and 0 <= at - m.end <= 20 for m in unit.mentions)


def _window(text: str, mention: YearMention, before: YearMention | None) -> str:
    """The clause a year is written in: from the punctuation before it to the one after it
    ("Jumelées dès 1951", "conclu en 1987", "lancée en 2015"), at most 70 characters before."""
    start = max(before.end if before else 0, mention.start - 70)
    cut = max(text.rfind(mark, 0, mention.start) for mark in ".;,:—–(")
    start = max(start, cut + 1)
    end = min(len(text), mention.end + 40)
    following = re.search(r"[.;,:)—–]", text[mention.end : end])
    if following:
        end = mention.end + following.start()
    return text[start:end]


PIECE_CHARS = 5000


def _pieces(text: str) -> list[tuple[int, str]]:
    """Cut a paragraph longer than PIECE_CHARS at sentence ends: [(offset, piece)]."""
    if len(text) <= 2 * PIECE_CHARS:
        return [(0, text)]
    pieces, start = [], 0
    while len(text) - start > 2 * PIECE_CHARS:
        cut = text.find(". ", start + PIECE_CHARS)
        if cut < 0 or cut > start + 3 * PIECE_CHARS:
            cut = start + PIECE_CHARS - 2
        pieces.append((start, text[start : cut + 1]))
        start = cut + 2
    pieces.append((start, text[start:]))
    return pieces


def _rule_sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ\"«])", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _merge_short(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join a sentence piece that spaCy cut without a full stop to the next one."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not re.search(r"[.!?:»\"]\s*$", text[merged[-1][0] : merged[-1][1]]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def normalise_keep(text: str) -> str:
    """Lower case without accents, apostrophes kept as "'" (the vocabulary's patterns use them)."""
    from coopatlas.core.text import strip_accents

    return strip_accents(text.replace("’", "'")).casefold()


def _bare(name: str) -> str:
    """A name's key without a leading article: "Le Port" → "port"."""
    return re.sub(r"^(?:le|la|les|l) ", "", normalise(name))


def _spelling(written: str, canonical: str) -> str:
    """The resolved place's spelling when it is the same name ("Pancevo" → "Pančevo",
    "Bad-Kreuznach" → "Bad Kreuznach"); the written name when the place is known by another one
    (an exonym such as "Francfort", "Gomel" for Homyel')."""
    if normalise(canonical).replace(" ", "") != normalise(written).replace(" ", ""):
        return written
    if canonical.replace("’", "'") == written:  # "Guang'an" as written, not "Guang’an"
        return written
    return written if canonical.isascii() and not written.isascii() else canonical  # "Dénia", not "Denia"


def _clean(name: str) -> str:
    from coopatlas.core.text import strip_accents

    name = name.strip(" .,:;-–")
    folded = strip_accents(name)
    match = vocab.GENERIC_PREFIX.match(folded) if len(folded) == len(name) else None
    if match and match.end() < len(name):
        name = name[match.end() :]
    return re.sub(r"['’]s$", "", name)


@functools.cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.de.stop_words import STOP_WORDS as DE
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.fr.stop_words import STOP_WORDS as FR

    return frozenset(normalise(w) for w in FR | EN | DE)


def _is_stop_word(word: str) -> bool:
    return normalise(word) in _stop_words()


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO code of a country written in French, English or another European language."""
    from coopatlas.ingest.parsing import country_or_none

    text = re.sub(r"^(?:(?:en|au|aux|in|the)\s+|l')", "", text.strip(), flags=re.IGNORECASE)  # "(au Sénégal)"
    return country_or_none(text)


def _is_country(text: str) -> bool:
    return country_code(text) is not None and len(text) > 2


def _row_country(text: str) -> str | None:
    for cell in text.split("|"):
        cell = cell.strip()
        if cell and (code := country_code(cell)):
            return code
    return None


# Top-level domains of France and its regions and overseas, and generic ones a French town's site
# may use when its address says so ("jumelage-landivisiau-bideford.fr", "ville-x.com").
FRENCH_DOMAINS = {
    "fr",
    "bzh",
    "alsace",
    "corsica",
    "paris",
    "re",
    "gp",
    "mq",
    "gf",
    "yt",
    "pm",
    "nc",
    "pf",
    "wf",
}
NEUTRAL_DOMAINS = {"com", "org", "net", "eu", "info"}


def _url_names(url: str) -> list[str]:
    """Names an address may carry: "www.boulogne-billancourt.fr" → "boulogne-billancourt"."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    if labels[-1] not in FRENCH_DOMAINS and not (
        labels[-1] in NEUTRAL_DOMAINS and re.search(r"ville|mairie|commune|agglo|metropole|jumelage", host)
    ):
        return []  # "paris.ky.gov", "bad-soden.de": another country's site names no French owner
    parts = [
        p
        for p in host.split(".")
        if p not in ("www", "fr", "com", "org", "net", "eu", "gouv", "mairie", "ville")
    ]
    names = []
    for part in parts:
        names.append(part)
        for prefix in ("ville-", "mairie-", "cc-", "ca-", "agglo-"):
            if part.startswith(prefix):
                names.append(part[len(prefix) :])
    return [n.replace("-", " ") if len(n) > 3 else n for n in names]
