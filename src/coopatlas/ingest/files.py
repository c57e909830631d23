"""Open the files people bring, safely: detect the encoding and delimiter of a CSV, refuse empty,
binary, oversized or booby-trapped files (zip and XML bombs) with a clear message, and read rows
as a stream so that memory stays flat on large files."""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coopatlas.ingest.errors import FileRejected

MAX_LINE_CHARS = 1_000_000  # a longer line is not a spreadsheet row
MAX_XLSX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_XLSX_RATIO = 200  # uncompressed / compressed, per member
SAMPLE = 64 * 1024
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_not_empty(path: Path) -> None:
    if not path.exists():
        raise FileRejected(f"Fichier introuvable : {path}", f"File not found: {path}")
    if path.stat().st_size == 0:
        raise FileRejected(f"Le fichier {path.name} est vide.", f"The file {path.name} is empty.")


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return bool(sample) and control / len(sample) > 0.05


def detect_encoding(path: Path, sample: bytes) -> str:
    """Return utf-8-sig for UTF-8 (with or without BOM), else cp1252 (Windows Excel)."""
    # Cut the sample on a line end so that a multibyte character is not split.
    cut = sample.rfind(b"\n")
    probe = sample if cut < 0 or len(sample) < SAMPLE else sample[: cut + 1]
    try:
        probe.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        probe.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise FileRejected(
            f"{path.name} : encodage non reconnu (ni UTF-8 ni Windows-1252).",
            f"{path.name}: unknown encoding (neither UTF-8 nor Windows-1252).",
        ) from None


@dataclass
class TextSource:
    """A text file opened for streaming, with what was detected about it."""

    path: Path
    encoding: str
    binary: io.BufferedReader
    stream: io.TextIOWrapper
    notes: list[str] = field(default_factory=list)

    def position(self) -> int:
        """Return how many bytes have been read (the whole file once it is closed)."""
        if self.binary.closed:
            return self.size()
        return self.binary.raw.tell() if hasattr(self.binary, "raw") else self.binary.tell()

    def size(self) -> int:
        return self.path.stat().st_size

    def close(self) -> None:
        self.stream.close()

    def lines(self) -> Iterator[str]:
        """Yield lines, refusing any line longer than MAX_LINE_CHARS (read in bounded pieces)."""
        number = 0
        while True:
            line = self.stream.readline(MAX_LINE_CHARS + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise FileRejected(
                    f"{self.path.name}, ligne {number} : ligne de plus d'un million de caractères ; "
                    "ce n'est pas un tableau lisible (délimiteur ou fins de ligne manquants ?).",
                    f"{self.path.name}, line {number}: a line of over a million characters; not a "
                    "readable table (missing delimiters or line ends?).",
                )
            yield line


def open_text(path: Path, encoding: str | None = None) -> TextSource:
    """Open a text file for streaming: refuse empty and binary files, detect the encoding."""
    check_not_empty(path)
    binary = path.open("rb")
    sample = binary.read(SAMPLE)
    binary.seek(0)
    if _looks_binary(sample):
        binary.close()
        raise FileRejected(
            f"{path.name} n'est pas un fichier texte (contenu binaire).",
            f"{path.name} is not a text file (binary content).",
        )
    if encoding is None:
        encoding = detect_encoding(path, sample)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            binary.close()
            raise FileRejected(f"Encodage inconnu : {encoding}", f"Unknown encoding: {encoding}") from None
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
    notes = [f"encodage : {encoding}"]
    return TextSource(path=path, encoding=encoding, binary=binary, stream=stream, notes=notes)


def sniff_delimiter(header: str) -> str:
    """Return the delimiter of a header line: the most frequent of ; , tab and |."""
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def csv_rows(
    source: TextSource, delimiter: str | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Return the header and an iterator of (line number, cells) of a CSV file."""
    lines = source.lines()
    header_line = next(lines, None)
    while header_line is not None and not header_line.strip():
        header_line = next(lines, None)
    if header_line is None:
        raise FileRejected(f"{source.path.name} est vide.", f"{source.path.name} is empty.")
    delimiter = delimiter or sniff_delimiter(header_line)
    source.notes.append(f"délimiteur : {'tabulation' if delimiter == chr(9) else delimiter}")
    header = next(csv.reader([header_line], delimiter=delimiter))
    header = [h.strip().lstrip("\ufeff") for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num + 1, cells
        except csv.Error as exc:
            raise FileRejected(
                f"{source.path.name}, ligne {reader.line_num + 1} : CSV illisible ({exc}).",
                f"{source.path.name}, line {reader.line_num + 1}: unreadable CSV ({exc}).",
            ) from None

    return header, rows()


def check_xlsx(path: Path) -> list[str]:
    """Refuse a file that is not an XLSX workbook, or whose content would blow up when unpacked.
    Return notes (macros present…)."""
    check_not_empty(path)
    if not zipfile.is_zipfile(path):
        raise FileRejected(
            f"{path.name} n'est pas un classeur XLSX (ce n'est pas une archive zip).",
            f"{path.name} is not an XLSX workbook (not a zip archive).",
        )
    notes = []
    with zipfile.ZipFile(path) as archive:
        total = 0
        names = set()
        for info in archive.infolist():
            names.add(info.filename)
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_XLSX_UNCOMPRESSED or (info.file_size > 10_000_000 and ratio > MAX_XLSX_RATIO):
                raise FileRejected(
                    f"{path.name} : contenu décompressé démesuré ({info.filename}, {info.file_size:,} "
                    "octets) ; fichier refusé (bombe zip ?).".replace(",", " "),
                    f"{path.name}: oversized uncompressed content ({info.filename}); refused (zip bomb?).",
                )
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise FileRejected(
                f"{path.name} est une archive zip mais pas un classeur XLSX.",
                f"{path.name} is a zip archive but not an XLSX workbook.",
            )
        if any(n.endswith("vbaProject.bin") for n in names):
            notes.append("macros présentes : ignorées, jamais exécutées")
    return notes


def xlsx_rows(
    path: Path, sheet: str | None = None
) -> tuple[list[str], Iterator[tuple[int, list[object]]], list[str], Callable[[], None]]:
    """Return the header, an iterator of (row number, values), notes, and a function that
    closes the workbook, for a sheet of a workbook. Formulas give their last computed value;
    they are never evaluated."""
    notes = check_xlsx(path)
    import openpyxl
    from defusedxml.common import DefusedXmlException

    handle = path.open("rb")  # ours to close: openpyxl leaves its own open when it fails

    def close() -> None:
        if workbook is not None:
            workbook.close()
        handle.close()

    workbook = None
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_vba=False)
    except DefusedXmlException as exc:
        handle.close()
        raise FileRejected(
            f"{path.name} : XML dangereux refusé ({type(exc).__name__}).",
            f"{path.name}: dangerous XML refused ({type(exc).__name__}).",
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        handle.close()
        cause = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise FileRejected(
                f"{path.name} : XML dangereux refusé ({type(cause).__name__}).",
                f"{path.name}: dangerous XML refused ({type(cause).__name__}).",
            ) from None
        raise FileRejected(
            f"{path.name} : classeur illisible ({type(exc).__name__}: {exc}).",
            f"{path.name}: unreadable workbook ({type(exc).__name__}: {exc}).",
        ) from None
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except KeyError:
        close()
        raise FileRejected(
            f"{path.name} : pas de feuille « {sheet} » (feuilles : {', '.join(workbook.sheetnames)}).",
            f"{path.name}: no sheet '{sheet}' (sheets: {', '.join(workbook.sheetnames)}).",
        ) from None
    values = worksheet.iter_rows(values_only=True)
    try:
        header_row = next(values, None)
    except DefusedXmlException as exc:
        close()
        raise FileRejected(
            f"{path.name} : XML dangereux refusé ({type(exc).__name__}).",
            f"{path.name}: dangerous XML refused ({type(exc).__name__}).",
        ) from None
    if header_row is None:
        close()
        raise FileRejected(f"{path.name} : la feuille est vide.", f"{path.name}: the sheet is empty.")
    header = ["" if h is None else str(h).strip() for h in header_row]
    notes.append(f"feuille : {worksheet.title}")

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, row in enumerate(values, 2):
                if any(v not in (None, "") for v in row):
                    yield number, list(row)
        except DefusedXmlException as exc:
            raise FileRejected(
                f"{path.name} : XML dangereux refusé ({type(exc).__name__}).",
                f"{path.name}: dangerous XML refused ({type(exc).__name__}).",
            ) from None
        finally:
            close()

    return header, rows(), notes, close
