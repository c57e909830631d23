"""Similar partnerships: TF-IDF over titles and texts (scikit-learn), French stems as terms.

The model is built once per state of the published atlas (count and last change) and kept in
memory; a partnership's neighbours are the highest cosine similarities, each explained by the
words that weigh most in both texts.
"""

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Max

from coopatlas.atlas.models import Partnership
from coopatlas.core.text import normalise
from coopatlas.search.text import STOPWORDS, stem

TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "context",
    "history_text",
    "objectives_local",
    "objectives_france",
)
MIN_SCORE = 0.08
# Function words and fillers that the search keeps but that say nothing about a subject.
FILLERS = frozenset(
    "ainsi alors ans apres aussi autre autres avant avoir bien cela celle celles cet cette ceux chaque "
    "chez cinq comme comment dont deux ete etre entre fait faire fois lors meme memes moins ont peu plus "
    "plusieurs quatre sans selon sont sous surtout tant tous tout toute toutes tres trois vers depuis "
    "annee annees premier premiere premiers also from that this which were been have".split()
)
_TOKEN = re.compile(r"[^\W\d_]{3,}")
_lock = threading.Lock()
_model: "Model | None" = None


@dataclass
class Similar:
    partnership: Partnership
    score: float
    words: list[str]


@dataclass
class Model:
    key: tuple
    ids: list[int]
    row: dict[int, int]
    matrix: object  # scipy sparse, one L2-normalised row per partnership
    terms: list[str]
    surface: dict[str, str]


def _analyse(text: str, surface: dict[str, Counter] | None = None) -> list[str]:
    terms = []
    for word in _TOKEN.findall(text.lower()):
        folded = normalise(word)
        if folded in STOPWORDS or folded in FILLERS:
            continue
        term = stem(folded)
        terms.append(term)
        if surface is not None:
            surface[term][word] += 1
    return terms


def _state() -> tuple:
    published = Partnership.objects.published()
    return (published.count(), published.aggregate(last=Max("updated_at"))["last"])


def model() -> Model:
    """Return the TF-IDF model of the published atlas, rebuilt when the atlas has changed."""
    global _model
    key = _state()
    with _lock:
        if _model is not None and _model.key == key:
            return _model
        rows = list(Partnership.objects.published().order_by("pk").values_list("pk", *TEXT_FIELDS))
        surface: dict[str, Counter] = defaultdict(Counter)
        documents = [_analyse(" ".join(filter(None, texts)), surface) for _pk, *texts in rows]
        # Imported here: scikit-learn (with numpy and scipy) weighs ~100 MB and seconds of start-up,
        # paid only by the process that shows a partnership's similar ones.
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True, min_df=1)
        matrix = vectorizer.fit_transform(documents) if rows else None
        _model = Model(
            key=key,
            ids=[row[0] for row in rows],
            row={row[0]: i for i, row in enumerate(rows)},
            matrix=matrix,
            terms=list(vectorizer.get_feature_names_out()) if rows else [],
            surface={term: words.most_common(1)[0][0] for term, words in surface.items()},
        )
        return _model


def similar_partnerships(partnership: Partnership, *, limit: int = 5) -> list[Similar]:
    """Return the published partnerships whose texts are closest to `partnership`'s, with why."""
    current = model()
    index = current.row.get(partnership.pk)
    if index is None or current.matrix is None:
        return []
    vector = current.matrix[index]
    scores = (current.matrix @ vector.T).toarray().ravel()
    scores[index] = 0.0
    best = [i for i in scores.argsort()[::-1][:limit] if scores[i] >= MIN_SCORE]
    found = Partnership.objects.in_bulk([current.ids[i] for i in best])
    results = []
    for i in best:
        shared = vector.multiply(current.matrix[i]).tocoo()
        ranked = sorted(zip(shared.col, shared.data, strict=True), key=lambda item: -item[1])[:4]
        words = [current.surface.get(current.terms[col], current.terms[col]) for col, _w in ranked]
        if current.ids[i] in found:
            results.append(Similar(found[current.ids[i]], round(float(scores[i]), 3), words))
    return results
