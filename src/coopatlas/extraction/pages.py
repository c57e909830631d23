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
    _walk(root, parts)
    text = "".join(parts)
    if len(text.strip()) < 200 and tree.body is not None and root is not tree.body:
        parts = []
        _walk(tree.body, parts)
        text = "".join(parts)
    return title, text


def _walk(node, parts: list[str]) -> None:
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
            _walk(child, parts)
            parts.append("\n")
        elif tag == "tr":
            cells = [re.sub(r"\s+", " ", c.text(separator=" ")).strip() for c in child.css("th, td")]
            parts.append("\n" + " | ".join(cells) + "\n")
        elif tag in CARDS and (card := _card(child)):
            parts.append("\n" + card + "\n")
        elif tag in BLOCKS or tag in HEADINGS:
            parts.append("\n")
            _walk(child, parts)
            parts.append("\n")
        elif tag not in ("-comment",):
            _walk(child, parts)


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
