"""A page as the extractor reads it: bytes or text in, plain text out, with its title, address
and publication date. HTML is reduced to its main text with selectolax (a parser: nothing in the
page is ever run); nothing is fetched."""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from coopatlas.core.weblinks import is_web_url

MAX_INPUT_BYTES = 10 * 1024 * 1024
# spaCy reads at most this many characters at once; a longer main text is refused, not cut.
MAX_TEXT_CHARS = 1_000_000
# Elements open inside one another. Hand-written and CMS pages stay under a few dozen levels;
# Chromium's own parser stops nesting at 512. The HTML parser's cost grows with depth times
# size (100,000 nested <div> take lexbor over 30 s), so deeper markup is refused before parsing.
MAX_DEPTH = 256
# A box read as a card (see _card) has at most this many elements inside it: the test of a
# card looks at every pair of its blocks, so it is only run on small boxes.
CARD_ELEMENTS = 64

DROPPED = "script, style, noscript, template, iframe, object, embed, svg, canvas, form, nav, footer, aside"
BLOCKS = {
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "blockquote", "figure",
    "figcaption", "address", "pre", "hr", "body", "html",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Characters written several ways: folded one to one, so offsets stay those of the text.
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_PUBLISHED = re.compile(
    r"(?:publi[ée]e?|mis en ligne|mis à jour|posted|published|updated)\s*(?:le|on|:)?[\s:—–-]*"
    r"(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})",
    re.IGNORECASE,
)
_PUBLISHED_WORDS = re.compile(
    r"(?:publi[ée]e?|mis en ligne|posted|published)\s*(?:le|on|:)?\s*(?P<d>\d{1,2})(?:er)?\s+"
    r"(?P<month>[a-zéû]+)\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>\d{1,2})(?:[/-](?P<d>\d{1,2}))?(?:/|$)")
MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12, "january": 1, "february": 2, "march": 3, "april": 4,
    "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10,
    "november": 11, "december": 12,
}  # fmt: skip


class PageError(ValueError):
    """A page that cannot be read, said in French and English."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr, self.en = fr, en


@dataclass
class Page:
    text: str
    title: str = ""
    url: str = ""
    published: datetime.date | None = None
    was_html: bool = False
    html: str = ""  # the page as given, when it was HTML (the atlas sheet reader reads its tables)


def decode(data: bytes) -> str:
    """Return the text of `data`: UTF-8 (with or without BOM), else Windows-1252; refuse binary."""
    if not data.strip():
        raise PageError("Le texte est vide.", "The text is empty.")
    if len(data) > MAX_INPUT_BYTES:
        raise PageError(
            f"Le fichier fait {len(data) / 1e6:.1f} Mo : 10 Mo au plus.",
            f"The file is {len(data) / 1e6:.1f} MB: 10 MB at most.",
        )
    sample = data[:8192]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100 + 1:
        raise PageError(
            "Ce fichier n'est pas du texte ni du HTML (contenu binaire).",
            "This file is neither text nor HTML (binary content).",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def looks_like_html(raw: str) -> bool:
    return bool(re.search(r"<(?:!doctype|html|body|div|p|li|table|article|main|h[1-6])\b", raw[:20000], re.I))


def read_page(raw: str | bytes, url: str = "") -> Page:
    """Return the page's main text (HTML reduced to its text), title and publication date."""
    if url and not is_web_url(url):
        # The address is stored with the page and later given to its partnerships as a source link.
        raise PageError(
            f"Adresse refusée : « {url[:200]} » (seules les adresses http:// ou https:// sont admises).",
            f"Address refused: '{url[:200]}' (only http:// or https:// addresses are allowed).",
        )
    if isinstance(raw, bytes):
        raw = decode(raw)
    if not raw.strip():
        raise PageError("Le texte est vide.", "The text is empty.")
    if len(raw) > MAX_INPUT_BYTES:
        raise PageError("Le texte dépasse 10 Mo.", "The text is over 10 MB.")
    title, was_html = "", looks_like_html(raw)
    if was_html:
        check_depth(raw)
        title, text = _html_text(raw)
    else:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_FOLD)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise PageError("La page ne contient aucun texte.", "The page holds no text.")
    if len(text) > MAX_TEXT_CHARS:
        raise PageError(
            f"Le texte principal fait {len(text):,} caractères : {MAX_TEXT_CHARS:,} au plus.".replace(
                ",", " "
            ),
            f"The main text is {len(text):,} characters long: {MAX_TEXT_CHARS:,} at most.",
        )
    if not title:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
    return Page(
        text=text,
        title=title.translate(_FOLD),
        url=url,
        published=publication_date(text, url),
        was_html=was_html,
        html=raw if was_html else "",
    )


# Tags that never hold others; and tags the parser closes by itself when one of their family
# opens (an unclosed <li> before the next <li>): the scan below follows the parser's stack on these.
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "html", "head", "body",
}  # fmt: skip
_FAMILIES = {
    "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "p": {"p"}, "option": {"option"},
    "td": {"td", "th"}, "th": {"td", "th"}, "tr": {"tr", "td", "th"},
    "thead": {"thead", "tbody", "tfoot", "tr", "td", "th"},
    "tbody": {"thead", "tbody", "tfoot", "tr", "td", "th"},
    "tfoot": {"thead", "tbody", "tfoot", "tr", "td", "th"},
}  # fmt: skip
_CLOSES_P = BLOCKS | HEADINGS | {"li", "ul", "ol", "table", "form", "nav", "aside", "footer", "details"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_OPAQUE = {"<!--": "-->", "<script": "</script", "<style": "</style", "<textarea": "</textarea"}


def _markup(raw: str) -> str:
    """`raw` without its comments, scripts and styles (their text may hold anything), found with
    plain string searches: linear whatever the input."""
    lowered, kept, position = raw.lower(), [], 0
    while True:
        starts = [(i, opener) for opener in _OPAQUE if (i := lowered.find(opener, position)) >= 0]
        if not starts:
            kept.append(raw[position:])
            return "".join(kept)
        start, opener = min(starts)
        kept.append(raw[position:start])
        end = lowered.find(_OPAQUE[opener], start + len(opener))
        if end < 0:
            return "".join(kept)
        position = end + len(_OPAQUE[opener])


def nesting_depth(raw: str, limit: int = MAX_DEPTH) -> int:
    """Return how deep elements are opened inside one another in `raw`, following its tags the
    way the HTML parser does in one pass (no tree is built); stop counting once past `limit`."""
    stack: list[str] = []
    deepest = 0
    for match in _TAG.finditer(_markup(raw)):
        closing, name, self_closing = match.groups()
        name = name.lower()
        if self_closing or name in _VOID:
            continue
        if closing:
            if name in stack:
                while stack.pop() != name:
                    pass
            continue
        family = _FAMILIES.get(name)
        while stack and ((family and stack[-1] in family) or (stack[-1] == "p" and name in _CLOSES_P)):
            stack.pop()
        stack.append(name)
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > limit:
                break
    return deepest


def check_depth(raw: str) -> None:
    """Refuse HTML whose elements nest deeper than MAX_DEPTH."""
    if nesting_depth(raw) > MAX_DEPTH:
        raise PageError(
            f"Le HTML imbrique ses éléments sur plus de {MAX_DEPTH} niveaux : page refusée "
            "(une page ordinaire en compte quelques dizaines).",
            f"The HTML nests its elements more than {MAX_DEPTH} levels deep: page refused "
            "(an ordinary page has a few dozen).",
        )


def _html_text(raw: str) -> tuple[str, str]:
    tree = LexborHTMLParser(raw)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css(DROPPED):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    if root is None:
        return title, ""
    if (h1 := tree.css_first("h1")) is not None and not title:
        title = h1.text(strip=True)
    parts: list[str] = []
    sizes = _sizes(tree.root)
    _walk(root, parts, sizes)
    text = "".join(parts)
    if len(text.strip()) < 200 and tree.body is not None and root is not tree.body:
        parts = []
        _walk(tree.body, parts, sizes)
        text = "".join(parts)
    return title, text


def _sizes(root) -> dict[int, int]:
    """Return the number of elements in each element's subtree (itself included), by mem_id, in
    one pass over the tree: the card test asks it of every box."""
    order = [node for node in root.traverse() if node.is_element_node]
    sizes = dict.fromkeys((node.mem_id for node in order), 1)
    for node in reversed(order):  # children before their parent
        parent = node.parent
        if parent is not None and parent.mem_id in sizes:
            sizes[parent.mem_id] += sizes[node.mem_id]
    return sizes


def _walk(node, parts: list[str], sizes: dict[int, int]) -> None:
    """Append the text of `node`: blocks on their own lines, list items as bullets, table rows
    as `cell | cell` lines."""
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(re.sub(r"\s+", " ", child.text_content or ""))
        elif tag == "br":
            parts.append("\n")
        elif tag == "li":
            parts.append("\n  • ")
            _walk(child, parts, sizes)
            parts.append("\n")
        elif tag == "tr":
            cells = [re.sub(r"\s+", " ", c.text(separator=" ")).strip() for c in child.css("th, td")]
            parts.append("\n" + " | ".join(cells) + "\n")
        elif tag in CARDS and sizes.get(child.mem_id, 0) <= CARD_ELEMENTS and (card := _card(child)):
            parts.append("\n" + card + "\n")
        elif tag in BLOCKS or tag in HEADINGS:
            parts.append("\n")
            _walk(child, parts, sizes)
            parts.append("\n")
        elif tag not in ("-comment",):
            _walk(child, parts, sizes)


CARDS = {"div", "article", "section", "figure", "a"}
CARD_CHARS = 200


def _card(node) -> str | None:
    """A small box of short blocks — a card "Viersen / Allemagne / Jumelée depuis 1974" — as one
    line whose parts are joined by " — "; None for anything else."""
    text = node.text(separator=" ", strip=True)
    if not text or len(text) > CARD_CHARS or node.css_first("table, ul, ol") is not None:
        return None
    leaves = _leaves(node)
    if len(leaves) < 2:
        return None
    for inner in node.css(", ".join(sorted(CARDS))):
        if inner.mem_id != node.mem_id and len(_leaves(inner)) >= 2:
            return None  # a box of cards (a grid), not a card: each card is its own line
    return " — ".join(leaves)


def _leaves(node) -> list[str]:
    """The texts of the blocks inside `node` that hold no other block."""
    blocks = ", ".join(sorted(BLOCKS | HEADINGS))
    texts = []
    for leaf in node.css(blocks):  # selectolax counts a node among its own matches
        if leaf.mem_id != node.mem_id and all(inner.mem_id == leaf.mem_id for inner in leaf.css(blocks)):
            if text := re.sub(r"\s+", " ", leaf.text(separator=" ")).strip():
                texts.append(text)
    return texts


def publication_date(text: str, url: str = "") -> datetime.date | None:
    """Return the date the page says it was published ("Publié le 13/12/2024"), else the date in
    its address (/2024/12/), else None."""
    head = text[:5000]
    for match in _PUBLISHED.finditer(head):
        with _quiet():
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    for match in _PUBLISHED_WORDS.finditer(head):
        month = MONTHS.get(match["month"].lower())
        if month:
            with _quiet():
                return datetime.date(int(match["y"]), month, int(match["d"]))
    if url and (match := _URL_DATE.search(urlsplit(url).path)):
        with _quiet():
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"] or 1))
    return None


class _quiet:
    """Ignore an impossible date (31/02) and go on."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is ValueError
