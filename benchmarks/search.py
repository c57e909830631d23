"""The search at scale: the same questions asked of our page, our API, Datasette and plain SQL.

Usage: python benchmarks/search.py [--db VAR_DIR|FILE|postgres://…] [--build N | --sizes 10000,100000]
                                   [--postgres] [--runs 7] [--contenders page,api,datasette,sql]

Each question is a query string of /recherche/ (a word; a country; a world zone; a French région;
a theme; a year range; word + country; word + zone + years; page 50 of everything; everything).
It is answered by
- page: GET /recherche/?… on a `coopatlas serve` on loopback (the whole page: facets, results);
- api: GET /api/v1/partnerships?… with the same query string (a 4xx answer is reported as missing);
- datasette: GET /bench/bench_partnership_flat.json?… on a Datasette installed in its own
  virtualenv (/tmp/bench-venv by default), serving the same SQLite file, where the script first
  writes `bench_partnership_flat`: one row per published partnership, its facets as JSON arrays
  (`_facet_array`) or plain columns (`_facet`), the words through the atlas's own FTS5 table;
- sql: plain SQL on the normalised atlas tables in this process (the total, each facet's counts
  under the other facets, the 20 rows of the page): the independent oracle of the counts.
Every contender's result count is checked against the oracle's (and the facet counts that it
gives), a mismatch printed loudly. Then each question is asked `--runs` times, the contenders
interleaved, and the table gives the median and p95 of each and the ratios ours/Datasette and
ours/plain SQL (page and API), with their geometric means.

Target (issue "Search at national scale"): ours ≤ Datasette on every question, ≤ 3× plain SQL.
"""

# The SQL below is put together from this file's constants; the values go as parameters.
# ruff: noqa: S608

import argparse
import html
import json
import math
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import serving

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from coopatlas.search.text import query_roots  # noqa: E402 (the words' roots, as the index has them)

FLAT = "bench_partnership_flat"


def api_query(query: str) -> str:
    """The API takes `offset` (or a cursor) where the page takes a page number."""
    params = urllib.parse.parse_qsl(query)
    pages = [int(v) for k, v in params if k == "page"]
    kept = [(k, v) for k, v in params if k != "page"]
    if pages:
        kept += [("offset", str((pages[0] - 1) * PAGE_SIZE)), ("limit", str(PAGE_SIZE))]
    return urllib.parse.urlencode(kept)


PAGE_SIZE = 20
ARRAY_FACETS = ("pays", "zone", "region", "departement", "theme", "acteur", "odd")
SCALAR_FACETS = ("forme", "etat", "financement")
FACETS = ARRAY_FACETS + SCALAR_FACETS
WORD = "jumelage"

# (partnership id, value) of each facet over the normalised tables, as the search counts them:
# a partner country or zone is a non-French participant's or an explicit one; a theme counts for
# its parent and grandparent too.
PARTICIPANT = "atlas_participation pa JOIN atlas_organisation o ON o.id = pa.organisation_id"
PAIRS = {
    "pays": f"SELECT pa.partnership_id AS pid, o.country_id AS v FROM {PARTICIPANT} "
    "WHERE o.country_id IS NOT NULL AND o.country_id <> 'FR' "
    "UNION SELECT partnership_id, country_id FROM atlas_partnership_extra_countries",
    "zone": f"SELECT pa.partnership_id AS pid, c.world_region AS v FROM {PARTICIPANT} "
    "JOIN places_country c ON c.iso2 = o.country_id WHERE o.country_id <> 'FR' AND c.world_region <> '' "
    "UNION SELECT e.partnership_id, c.world_region FROM atlas_partnership_extra_countries e "
    "JOIN places_country c ON c.iso2 = e.country_id WHERE c.world_region <> ''",
    "region": f"SELECT pa.partnership_id AS pid, o.region_code AS v FROM {PARTICIPANT} "
    "WHERE o.region_code IS NOT NULL AND o.region_code <> ''",
    "departement": f"SELECT pa.partnership_id AS pid, o.departement_code AS v FROM {PARTICIPANT} "
    "WHERE o.departement_code IS NOT NULL AND o.departement_code <> ''",
    "theme": "SELECT pt.partnership_id AS pid, t.code AS v FROM atlas_partnershiptheme pt "
    "JOIN atlas_theme t ON t.id = pt.theme_id "
    "UNION SELECT pt.partnership_id, t1.code FROM atlas_partnershiptheme pt "
    "JOIN atlas_theme t0 ON t0.id = pt.theme_id JOIN atlas_theme t1 ON t1.id = t0.parent_id "
    "UNION SELECT pt.partnership_id, t2.code FROM atlas_partnershiptheme pt "
    "JOIN atlas_theme t0 ON t0.id = pt.theme_id JOIN atlas_theme t1 ON t1.id = t0.parent_id "
    "JOIN atlas_theme t2 ON t2.id = t1.parent_id",
    "acteur": f"SELECT pa.partnership_id AS pid, o.kind AS v FROM {PARTICIPANT} WHERE o.kind <> ''",
    "odd": "SELECT partnership_id AS pid, CAST(sustainabledevelopmentgoal_id AS TEXT) AS v "
    "FROM atlas_partnership_sdgs",
    "forme": "SELECT id AS pid, form AS v FROM atlas_partnership",
    "etat": "SELECT id AS pid, status AS v FROM atlas_partnership",
    "financement": "SELECT p.id AS pid, CASE WHEN EXISTS (SELECT 1 FROM atlas_fundingline f "
    "WHERE f.partnership_id = p.id) THEN 'oui' ELSE 'non' END AS v FROM atlas_partnership p",
}


@dataclass
class Question:
    name: str
    query: str  # the query string of /recherche/

    @property
    def params(self) -> dict[str, list[str]]:
        return urllib.parse.parse_qs(self.query)

    def selected(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.params.items() if k in FACETS}


@dataclass
class Answer:
    """What a contender answered: its result count, its facet counts (when it gives them)."""

    count: int | None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    status: int = 200
    note: str = ""
    agrees: bool = True  # its count is the oracle's (set by the check)


def questions(connection, placeholder: str) -> list[Question]:
    """Return the questions, the région and theme being the atlas's most frequent ones."""
    cursor = connection.cursor()
    published = "SELECT id FROM atlas_partnership WHERE publication_state = 'published'"

    def most_frequent(facet: str, default: str) -> str:
        cursor.execute(
            f"SELECT v, count(DISTINCT pid) n FROM ({PAIRS[facet]}) x WHERE pid IN ({published}) "
            "GROUP BY v ORDER BY n DESC, v LIMIT 1"
        )
        row = cursor.fetchone()
        return row[0] if row else default

    region = most_frequent("region", "84")
    cursor.execute("SELECT code FROM atlas_theme WHERE level = 1 ORDER BY position, code LIMIT 1")
    first_theme = cursor.fetchone()
    theme = most_frequent("theme", first_theme[0] if first_theme else "culture")
    return [
        Question("mot", f"q={WORD}"),
        Question("pays", "pays=DE"),
        Question("zone", "zone=africa"),
        Question("région", f"region={region}"),
        Question("thème", f"theme={theme}"),
        Question("années", "debut_min=1990&debut_max=2005"),
        Question("mot+pays", f"q={WORD}&pays=DE"),
        Question("mot+zone+années", f"q={WORD}&zone=europe&debut_min=1960&debut_max=1995"),
        Question("page 50", "page=50"),
        Question("tout", ""),
    ]


# -- plain SQL: the oracle ---------------------------------------------------------------------------
class PlainSQL:
    """The question in plain SQL on the normalised tables: the count, the facet counts under
    every other facet (as the page counts them), and the rows of the page."""

    def __init__(self, atlas: serving.Atlas) -> None:
        self.atlas = atlas
        self.connection, self.placeholder = atlas.connect()

    def _conditions(self, question: Question, *, except_facet: str | None = None) -> tuple[str, list]:
        p = self.placeholder
        where, values = ["p.publication_state = 'published'"], []
        params = question.params
        if params.get("q"):
            roots = query_roots(params["q"][0])
            if self.atlas.engine == "postgresql":
                where.append(
                    "p.id IN (SELECT partnership_id FROM search_searchdocument "
                    f"WHERE vector @@ to_tsquery('french', {p}))"
                )
                values.append(" & ".join(f"{root}:*" for root in roots))
            else:
                where.append(f"p.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH {p})")
                values.append(" AND ".join(f"{root}*" for root in roots))
        for name, chosen in question.selected().items():
            if name != except_facet:
                marks = ", ".join([p] * len(chosen))
                where.append(f"p.id IN (SELECT pid FROM ({PAIRS[name]}) x WHERE v IN ({marks}))")
                values += chosen
        for key, operator in (("debut_min", ">="), ("debut_max", "<=")):
            if params.get(key):
                where.append(f"coalesce(p.start_year, p.signature_year) {operator} {p}")
                values.append(int(params[key][0]))
        return " AND ".join(where), values

    def answer(self, question: Question) -> Answer:
        cursor = self.connection.cursor()
        where, values = self._conditions(question)
        cursor.execute(f"SELECT count(*) FROM atlas_partnership p WHERE {where}", values)
        count = cursor.fetchone()[0]
        facets = {}
        for name in FACETS:
            scope, scope_values = self._conditions(question, except_facet=name)
            cursor.execute(
                f"SELECT v, count(DISTINCT pid) FROM ({PAIRS[name]}) x "
                f"WHERE pid IN (SELECT p.id FROM atlas_partnership p WHERE {scope}) GROUP BY v",
                scope_values,
            )
            facets[name] = {str(v): n for v, n in cursor.fetchall()}
        page = int(question.params.get("page", ["1"])[0])
        last_page = max(1, math.ceil(count / PAGE_SIZE))
        offset = (min(page, last_page) - 1) * PAGE_SIZE
        cursor.execute(
            f"SELECT p.id, p.title FROM atlas_partnership p WHERE {where} "
            f"ORDER BY p.start_year DESC, p.title, p.id LIMIT {PAGE_SIZE} OFFSET {offset}",
            values,
        )
        cursor.fetchall()
        return Answer(count, facets)


# -- Datasette --------------------------------------------------------------------------------------
FLAT_SQL = """
CREATE TABLE {flat} (
    id INTEGER PRIMARY KEY, title TEXT, start_year INTEGER, first_year INTEGER,
    forme TEXT, etat TEXT, financement TEXT,
    pays TEXT, zone TEXT, region TEXT, departement TEXT, theme TEXT, acteur TEXT, odd TEXT
);
INSERT INTO {flat}
SELECT p.id, p.title, p.start_year, coalesce(p.start_year, p.signature_year), p.form, p.status,
    CASE WHEN EXISTS (SELECT 1 FROM atlas_fundingline f WHERE f.partnership_id = p.id)
         THEN 'oui' ELSE 'non' END,
    {arrays}
FROM atlas_partnership p WHERE p.publication_state = 'published';
CREATE INDEX {flat}_first_year ON {flat} (first_year);
CREATE INDEX {flat}_start_year ON {flat} (start_year, id);
CREATE INDEX {flat}_forme ON {flat} (forme);
CREATE INDEX {flat}_etat ON {flat} (etat);
CREATE INDEX {flat}_financement ON {flat} (financement);
"""


def write_flat_table(sqlite_path: Path) -> float:
    """(Re)write the flattened table Datasette facets on; return the seconds it took."""
    import sqlite3

    arrays = ",\n    ".join(
        f"(SELECT json_group_array(v) FROM (SELECT DISTINCT v FROM ({PAIRS[name]}) x "
        f"WHERE x.pid = p.id ORDER BY v))"
        for name in ARRAY_FACETS
    )
    started = time.perf_counter()
    connection = sqlite3.connect(sqlite_path, timeout=60)
    connection.executescript(f"DROP TABLE IF EXISTS {FLAT};" + FLAT_SQL.format(flat=FLAT, arrays=arrays))
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def datasette_venv(venv: Path) -> Path:
    """Return the datasette command of the benchmark's own virtualenv, installing it if needed."""
    command = venv / "bin" / "datasette"
    if not command.exists():
        print(f"Datasette : installation dans {venv}…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "datasette"], check=True)  # noqa: S603
    return command


class Datasette:
    """A Datasette on the atlas's SQLite file, asked the question against the flattened table."""

    def __init__(self, command: Path, sqlite_path: Path, port: int) -> None:
        metadata = sqlite_path.parent / "bench-datasette-metadata.json"
        metadata.write_text(
            json.dumps(
                {"databases": {"bench": {"tables": {FLAT: {"fts_table": "search_fts", "fts_pk": "id"}}}}}
            )
        )
        settings = {
            "sql_time_limit_ms": 600_000,
            "facet_time_limit_ms": 600_000,
            "suggest_facets": "off",
            "max_returned_rows": 1000,
            "allow_csv_stream": "off",
        }
        # Datasette names a database after its file: the atlas's file under a link named bench.db.
        link = sqlite_path.parent / "bench.db"
        link.unlink(missing_ok=True)
        link.symlink_to(sqlite_path.name)
        arguments = [str(command), "serve", str(link), "--host", "127.0.0.1", "--port", str(port)]
        arguments += ["--metadata", str(metadata)]
        for key, value in settings.items():
            arguments += ["--setting", key, str(value)]
        self.log = (sqlite_path.parent / "bench-datasette.log").open("w")
        self.process = subprocess.Popen(arguments, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603
        self.url = f"http://127.0.0.1:{port}"
        serving.wait_until_up(self.url, self.process, timeout=120)
        self.next_tokens: dict[str, str] = {}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def address(self, question: Question) -> str:
        params = question.params
        pairs: list[tuple[str, str]] = [("_size", str(PAGE_SIZE)), ("_sort_desc", "start_year")]
        pairs += [("_facet_array", name) for name in ARRAY_FACETS]
        pairs += [("_facet", name) for name in SCALAR_FACETS]
        pairs += [("_facet_size", "max")]
        if params.get("q"):
            roots = query_roots(params["q"][0])
            pairs += [("_search", " AND ".join(f"{root}*" for root in roots)), ("_searchmode", "raw")]
        for name, chosen in question.selected().items():
            # One value per facet in these questions: arraycontains is an exact match on it.
            pairs += [(f"{name}__arraycontains" if name in ARRAY_FACETS else f"{name}__exact", chosen[0])]
        if params.get("debut_min"):
            pairs.append(("first_year__gte", params["debut_min"][0]))
        if params.get("debut_max"):
            pairs.append(("first_year__lte", params["debut_max"][0]))
        if question.name in self.next_tokens:
            pairs.append(("_next", self.next_tokens[question.name]))
        return f"{self.url}/bench/{FLAT}.json?{urllib.parse.urlencode(pairs)}"

    def prepare(self, question: Question) -> None:
        """For a deep page, find Datasette's keyset token of its first row (untimed)."""
        page = int(question.params.get("page", ["1"])[0])
        if page > 1:
            skip = Question(question.name + " (saut)", question.query)
            address = self.address(skip).replace(f"_size={PAGE_SIZE}", f"_size={(page - 1) * PAGE_SIZE}")
            status, body, _ = serving.get(address)
            token = json.loads(body).get("next") if status == 200 else None
            if token:
                self.next_tokens[question.name] = token

    def read(self, body: bytes, status: int) -> Answer:
        if status != 200:
            return Answer(None, status=status, note=body[:200].decode("utf-8", "replace"))
        data = json.loads(body)
        facets = {
            name: {str(v["value"]): v["count"] for v in result.get("results", [])}
            for name, result in data.get("facet_results", {}).items()
        }
        note = f"facettes hors délai : {data['facets_timed_out']}" if data.get("facets_timed_out") else ""
        return Answer(data.get("filtered_table_rows_count"), facets, note=note)


# -- our page and our API ---------------------------------------------------------------------------
COUNT = re.compile(r'<h2 id="h-results"[^>]*>(.*?)</h2>', re.S)
FACET_VALUE = re.compile(
    r'id="f-([a-z]+)-([^"]+)"[^>]*>\s*<label[^>]*>.*?<span class="count">([\d\s\u202f\xa0,.]+)</span>', re.S
)


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def read_page(body: bytes, status: int) -> Answer:
    if status != 200:
        return Answer(None, status=status)
    text = body.decode("utf-8", "replace")
    found = COUNT.search(text)
    facets: dict[str, dict[str, int]] = {}
    for name, value, count in FACET_VALUE.findall(text):
        facets.setdefault(name, {})[html.unescape(value)] = digits(count)
    return Answer(digits(html.unescape(found.group(1))) if found else None, facets)


def read_api(body: bytes, status: int) -> Answer:
    """Read the API's answer: its count, and facet counts in any of the likely shapes
    ({name: [{value, count}]}, {name: {value: count}}, [{name, values: [...]}])."""
    if 400 <= status < 500:
        return Answer(None, status=status, note="manquant (4xx)")
    if status != 200:
        return Answer(None, status=status)
    data = json.loads(body)
    facets: dict[str, dict[str, int]] = {}
    raw = data.get("facets") or {}
    items = raw.items() if isinstance(raw, dict) else ((f.get("name"), f.get("values")) for f in raw)
    for name, values in items:
        if isinstance(values, dict) and "values" in values:
            values = values["values"]
        if isinstance(values, dict):
            facets[name] = {str(k): int(v) for k, v in values.items()}
        elif isinstance(values, list):
            facets[name] = {str(v.get("value")): int(v.get("count", 0)) for v in values}
    return Answer(data.get("count"), facets)


# -- the run ----------------------------------------------------------------------------------------
@dataclass
class Contender:
    name: str
    ask: Callable[[Question], tuple[float, Answer]]
    prepare: Callable[[Question], None] | None = None
    times: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)


def http_contender(name: str, address: Callable[[Question], str], read, timeout: float) -> Contender:
    def ask(question: Question) -> tuple[float, Answer]:
        try:
            status, body, seconds = serving.get(address(question), timeout=timeout)
        except TimeoutError:
            return timeout, Answer(None, status=0, note=f"pas de réponse en {timeout:.0f} s")
        return seconds, read(body, status)

    return Contender(name, ask)


def sql_contender(oracle: PlainSQL) -> Contender:
    def ask(question: Question) -> tuple[float, Answer]:
        started = time.perf_counter()
        answer = oracle.answer(question)
        return time.perf_counter() - started, answer

    return Contender("sql", ask)


def check(question: Question, contenders: list[Contender], oracle: Answer) -> list[str]:
    """Return the disagreements of each contender with the oracle on this question."""
    problems = []
    selected = question.selected()
    for contender in contenders:
        answer = contender.answers.get(question.name)
        if contender.name == "sql" or answer is None:
            continue
        if answer.count is None:
            problems.append(
                f"{contender.name} : pas de compte (statut {answer.status}) {answer.note}".rstrip()
            )
            continue
        if answer.count != oracle.count:
            answer.agrees = False
            problems.append(f"{contender.name} : {answer.count} résultats, SQL {oracle.count}")
        for name, counts in answer.facets.items():
            # Datasette counts under every filter, its own facet's too: compare the others only;
            # past its keyset cursor (a deep page) it counts the rows after the cursor only.
            if name not in oracle.facets or (contender.name == "datasette" and name in selected):
                continue
            if contender.name == "datasette" and "page" in question.params:
                continue
            wrong = {
                v: (counts.get(v, 0), oracle.facets[name].get(v, 0))
                for v in set(counts) | set(oracle.facets[name])
                if counts.get(v, 0) != oracle.facets[name].get(v, 0)
            }
            if wrong:
                sample = ", ".join(f"{v}: {a}≠{b}" for v, (a, b) in sorted(wrong.items())[:4])
                problems.append(f"{contender.name} : facette {name}, {len(wrong)} valeur(s) ({sample})")
    return problems


def measure(atlas: serving.Atlas, args: argparse.Namespace) -> None:
    print(f"\n=== {atlas.describe()} ({atlas.engine}) ===", flush=True)
    oracle = PlainSQL(atlas)
    cursor = oracle.connection.cursor()
    cursor.execute("SELECT count(*) FROM atlas_partnership WHERE publication_state = 'published'")
    total = cursor.fetchone()[0]
    print(f"{total} partenariats publiés", flush=True)
    asked = questions(oracle.connection, oracle.placeholder)
    wanted = args.contenders.split(",")
    datasette = None
    if "datasette" in wanted and atlas.engine == "sqlite":
        seconds = write_flat_table(atlas.sqlite_path)
        print(f"table aplatie {FLAT} écrite en {seconds:.1f} s", flush=True)
        datasette = Datasette(datasette_venv(Path(args.venv)), atlas.sqlite_path, serving.free_port())
    try:
        with serving.coopatlas_server(atlas, args) as server:
            print(serving.describe_memory("au départ", server.pid), flush=True)
            contenders = []
            if "page" in wanted:
                contenders.append(
                    http_contender(
                        "page", lambda q: f"{server.url}/recherche/?{q.query}", read_page, args.timeout
                    )
                )
            if "api" in wanted:
                contenders.append(
                    http_contender(
                        "api",
                        lambda q: f"{server.url}/api/v1/partnerships?{api_query(q.query)}",
                        read_api,
                        args.timeout,
                    )
                )
            if datasette is not None:
                contender = http_contender("datasette", datasette.address, datasette.read, args.timeout)
                contender.prepare = datasette.prepare
                contenders.append(contender)
            if "sql" in wanted:
                contenders.append(sql_contender(oracle))
            run(asked, contenders, oracle, total, args.runs)
            print(serving.describe_memory("à la fin", server.pid), flush=True)
    finally:
        if datasette is not None:
            datasette.stop()
    report(asked, contenders)


def run(asked: list[Question], contenders: list[Contender], oracle: PlainSQL, total: int, runs: int) -> None:
    print("\nContrôle des comptes (premier passage, non chronométré)", flush=True)
    for question in asked:
        truth = oracle.answer(question)
        for contender in contenders:
            if contender.prepare is not None:
                contender.prepare(question)
            _seconds, answer = contender.ask(question)
            contender.answers[question.name] = answer
            contender.times[question.name] = []
        problems = check(question, contenders, truth)
        line = f"  {question.name:<16} {question.query or '(rien)':<55} {truth.count:>7} résultats"
        print(line + ("" if problems else "  ✓ mêmes comptes"), flush=True)
        for problem in problems:
            ignored = " — paramètres ignorés ?" if f" {total} résultats" in problem else ""
            print(f"    !!! DÉSACCORD {problem}{ignored}", flush=True)
    print(f"\n{runs} passages, concurrents entrelacés…", flush=True)
    for number in range(runs):
        for question in asked:
            for contender in contenders:
                seconds, _answer = contender.ask(question)
                contender.times[question.name].append(seconds)
        print(f"  passage {number + 1}/{runs}", flush=True)


def report(asked: list[Question], contenders: list[Contender]) -> None:
    by_name = {c.name: c for c in contenders}
    header = f"{'question':<16}" + "".join(f"{c.name + ' méd / p95':>22}" for c in contenders)
    ratios = [(ours, other) for ours in ("page", "api") for other in ("datasette", "sql")]
    ratios = [(a, b) for a, b in ratios if a in by_name and b in by_name]
    header += "".join(f"{a + '/' + b:>15}" for a, b in ratios)
    print("\n" + header)
    print("-" * len(header))
    collected: dict[tuple[str, str], list[float]] = {pair: [] for pair in ratios}
    for question in asked:
        line = f"{question.name:<16}"
        for contender in contenders:
            times = contender.times[question.name]
            answer = contender.answers[question.name]
            missing = answer.count is None
            cell = "manquant" if missing else f"{serving.ms(serving.median(times))} / "
            cell += "" if missing else serving.ms(serving.percentile(times, 0.95))
            cell = cell if answer.agrees else f"≠ {cell}"
            cell = f"* {cell}" if not missing and not answer.facets else cell
            line += f"{cell:>22}"
        for a, b in ratios:
            answer = by_name[a].answers[question.name]
            if answer.count is None or not answer.agrees:
                line += f"{'—':>15}"  # not the same question answered: no ratio
                continue
            ratio = serving.median(by_name[a].times[question.name]) / serving.median(
                by_name[b].times[question.name]
            )
            collected[(a, b)].append(ratio)
            line += f"{ratio:>14.1f}×"
        print(line)
    line = f"{'moyenne géom.':<16}" + " " * 22 * len(contenders)
    for pair in ratios:
        line += f"{serving.geometric_mean(collected[pair]):>14.1f}×"
    print(line)
    print("≠ : compte différent de celui du SQL (voir le contrôle), hors des rapports.")
    print("* : sans comptes de facettes (moins de travail que la page et Datasette).")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    serving.add_atlas_arguments(parser)
    parser.add_argument("--runs", type=int, default=7, help="passages chronométrés par question (défaut 7)")
    parser.add_argument("--contenders", default="page,api,datasette,sql", help="concurrents (défaut : tous)")
    parser.add_argument(
        "--venv", default=str(serving.TMP / "bench-venv"), help="virtualenv de Datasette (créé si absent)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="attente maximale d'une réponse (s)")
    args = parser.parse_args()
    for atlas in serving.atlases(args):
        measure(atlas, args)


if __name__ == "__main__":
    main()
