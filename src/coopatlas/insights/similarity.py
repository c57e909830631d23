"""Similar partnerships: TF-IDF over titles and texts, French stems as terms.

The model (scikit-learn's TF-IDF weighting, computed with scipy's sparse matrices as the texts
stream in) is built once per version of the search index and kept in memory; a partnership's
neighbours are the highest cosine similarities, each explained by the words that weigh most in
both texts.
"""

import re
import threading
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coopatlas.atlas.models import Partnership
from coopatlas.core.memory import release_free_memory
from coopatlas.core.text import normalise
from coopatlas.search.index import version
from coopatlas.search.signals import apply_pending
from coopatlas.search.text import STOPWORDS, stem

if TYPE_CHECKING:
    import numpy as np

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
    ids: "np.ndarray"  # row → partnership id, ascending
    matrix: object  # scipy sparse, one L2-normalised row per partnership (float32)
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


def model() -> Model:
    """Return the TF-IDF model of the published atlas, rebuilt when the search index's version
    has moved (any edit of a partnership's texts reindexes it)."""
    global _model
    apply_pending()
    key = version()
    with _lock:
        if _model is not None and _model.key == key:
            return _model
        _model = None  # the old model's memory is free before the new one is built
        _model = _build(key)
        release_free_memory()
        return _model


def _build(key: tuple) -> Model:
    """Return TF-IDF rows as scikit-learn's TfidfVectorizer makes them (sublinear tf, smoothed
    idf, L2 norm), counted while the texts stream from the database: one document's terms at a
    time, never the whole atlas's texts or term lists in memory (and no scikit-learn, 60 MB,
    in a web process)."""
    import numpy as np
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    surface: dict[str, Counter] = defaultdict(Counter)
    ids: list[int] = []
    rows, columns, counts = array("i"), array("i"), array("f")
    texts = Partnership.objects.published().order_by("pk").values_list("pk", *TEXT_FIELDS)
    for number, (pk, *parts) in enumerate(texts.iterator(chunk_size=2000)):
        ids.append(pk)
        for term, n in Counter(_analyse(" ".join(filter(None, parts)), surface)).items():
            rows.append(number)
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(n)
    if not ids:
        return Model(key=key, ids=np.zeros(0, dtype=np.int64), matrix=None, terms=[], surface={})
    matrix = sparse.csr_matrix(
        (
            np.frombuffer(counts, dtype=np.float32),
            (np.frombuffer(rows, dtype=np.int32), np.frombuffer(columns, dtype=np.int32)),
        ),
        shape=(len(ids), len(vocabulary)),
        dtype=np.float64,
    )
    del rows, columns, counts
    matrix.data = 1.0 + np.log(matrix.data)  # sublinear tf
    frequency = np.bincount(matrix.indices, minlength=len(vocabulary))
    idf = np.log((1 + len(ids)) / (1 + frequency)) + 1.0  # smoothed idf
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return Model(
        key=key,
        ids=np.array(ids, dtype=np.int64),
        matrix=matrix,
        terms=terms,
        surface={term: words.most_common(1)[0][0] for term, words in surface.items()},
    )


def similar_partnerships(partnership: Partnership, *, limit: int = 5) -> list[Similar]:
    """Return the published partnerships whose texts are closest to `partnership`'s, with why."""
    current = model()
    import numpy as np

    index = int(np.searchsorted(current.ids, partnership.pk))
    if current.matrix is None or index >= len(current.ids) or current.ids[index] != partnership.pk:
        return []
    vector = current.matrix[index]
    scores = (current.matrix @ vector.T).toarray().ravel()
    scores[index] = 0.0
    best = [i for i in scores.argsort()[::-1][:limit] if scores[i] >= MIN_SCORE]
    found = Partnership.objects.in_bulk([int(current.ids[i]) for i in best])
    results = []
    for i in best:
        shared = vector.multiply(current.matrix[i]).tocoo()
        ranked = sorted(zip(shared.col, shared.data, strict=True), key=lambda item: -item[1])[:4]
        words = [current.surface.get(current.terms[col], current.terms[col]) for col, _w in ranked]
        if int(current.ids[i]) in found:
            results.append(Similar(found[int(current.ids[i])], round(float(scores[i]), 3), words))
    return results
