"""Open the files people bring, safely: detect the encoding and delimiter of a CSV, refuse empty,
binary, oversized or booby-trapped files (zip and XML bombs) with a clear message, and read rows
as a stream so that memory stays flat on large files."""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
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


def check_not_empty(path: Path, name: str | None = None) -> None:
    """Refuse a missing or empty file; `name` is how the person knows it (their upload's name)."""
    if not path.exists():
        shown = name or str(path)
        raise FileRejected(f"Fichier introuvable : {shown}", f"File not found: {shown}")
    if path.stat().st_size == 0:
        shown = name or path.name
        raise FileRejected(f"Le fichier {shown} est vide.", f"The file {shown} is empty.")


def _looks_binary(sample: str | bytes) -> bool:
    codes: Iterable[int]
    if isinstance(sample, str):
        has_nul, codes = "\x00" in sample, map(ord, sample)
    else:
        has_nul, codes = b"\x00" in sample, sample
    if has_nul:
        return True
    control = sum(1 for b in codes if b < 32 and b not in (9, 10, 13, 12))
    return bool(sample) and control / len(sample) > 0.05


def _bom_encoding(sample: bytes) -> str | None:
    """The Unicode encoding a byte-order mark announces (Excel's « Texte Unicode » is UTF-16 LE
    with one), or None."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # before UTF-16: the UTF-32 LE mark begins with the UTF-16 LE one
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Python's utf-16 reads the mark, picks the byte order and drops it
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return None


def utf8_counts(path: Path) -> tuple[int, int]:
    """Return (valid multi-byte UTF-8 sequences, invalid bytes) over the whole file, read in
    bounded blocks (a sequence cut between two blocks is joined by the incremental decoder)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    valid = invalid = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(1 << 20)
            text = decoder.decode(block, final=not block)
            bad = text.count("\ufffd")
            invalid += bad
            valid += len(text) - len(text.encode("ascii", "ignore")) - bad
            if not block:
                return valid, invalid


def detect_encoding(path: Path, sample: bytes) -> str:
    """Return the encoding of a text file: the one its byte-order mark names; else UTF-8 when most
    of its non-ASCII content is valid UTF-8 (a file saved as UTF-8 with a few damaged bytes stays
    UTF-8: those bytes are replaced and their lines reported); else Windows-1252 (Excel on
    Windows), where a byte never forms a valid UTF-8 sequence but by rare accident.

    The rule compares, over the whole file, the count of valid multi-byte UTF-8 sequences with the
    count of bytes that are not UTF-8: measured on the real CSVs of shared/data, a file re-encoded
    in Windows-1252 has no valid sequence at all, a UTF-8 file with 1 to 20 damaged bytes has
    hundreds to thousands of valid ones for each bad byte, and only a file half made of
    Windows-1252 lines comes near a tie (either reading then loses half its accents)."""
    if bom := _bom_encoding(sample):
        return bom
    if len(sample) < SAMPLE:  # the whole file is in the sample
        try:
            sample.decode("utf-8")
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    valid, invalid = utf8_counts(path)
    if invalid == 0 or valid >= invalid:
        return "utf-8-sig"
    return "cp1252"


MAX_LINES_LISTED = 20


@dataclass
class TextSource:
    """A text file opened for streaming, with what was detected about it. `name` is the file's
    name as the person knows it (their upload's), used in every message."""

    path: Path
    encoding: str
    binary: io.BufferedReader
    stream: io.TextIOWrapper
    name: str = ""
    notes: list[str] = field(default_factory=list)
    replaced_lines: list[int] = field(default_factory=list)
    _reported: bool = False

    def position(self) -> int:
        """Return how many bytes have been read (the whole file once it is closed)."""
        if self.binary.closed:
            return self.size()
        return self.binary.raw.tell() if hasattr(self.binary, "raw") else self.binary.tell()

    def size(self) -> int:
        return self.path.stat().st_size

    def close(self) -> None:
        self._report_replaced()
        self.stream.close()

    def _report_replaced(self) -> None:
        """Say, once, which lines had bytes that are not of the file's encoding, or NUL
        characters (each was read as « � »), in French then English."""
        if self._reported or not self.replaced_lines:
            return
        self._reported = True
        shown = ", ".join(str(n) for n in self.replaced_lines[:MAX_LINES_LISTED])
        more = len(self.replaced_lines) - MAX_LINES_LISTED
        if more > 0:
            shown += f"… (+{more})"
        self.notes.append(
            f"octets invalides en {self.encoding} remplacés par « \ufffd », ligne(s) {shown} "
            f"(invalid {self.encoding} bytes replaced with '\ufffd', line(s) {shown})"
        )

    def lines(self) -> Iterator[str]:
        """Yield lines, refusing any line longer than MAX_LINE_CHARS (read in bounded pieces)."""
        number = 0
        while True:
            line = self.stream.readline(MAX_LINE_CHARS + 1)
            if not line:
                self._report_replaced()
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise FileRejected(
                    f"{self.name}, ligne {number} : ligne de plus d'un million de caractères ; "
                    "ce n'est pas un tableau lisible (délimiteur ou fins de ligne manquants ?).",
                    f"{self.name}, line {number}: a line of over a million characters; not a "
                    "readable table (missing delimiters or line ends?).",
                )
            if "\x00" in line:  # past the sample; no database field takes it (PostgreSQL refuses it)
                line = line.replace("\x00", "\ufffd")
            if "\ufffd" in line:
                self.replaced_lines.append(number)
            yield line

    def read_all(self) -> str:
        """Return the whole text from its start, noting the lines with replaced bytes."""
        self.stream.seek(0)
        text = self.stream.read().replace("\x00", "\ufffd")
        if "\ufffd" in text:
            self.replaced_lines = [n for n, line in enumerate(text.split("\n"), 1) if "\ufffd" in line]
        self._report_replaced()
        return text


def open_text(path: Path, encoding: str | None = None, name: str | None = None) -> TextSource:
    """Open a text file for streaming: refuse empty and binary files, detect the encoding.
    Bytes that are not of the encoding are read as « � » and their lines reported in the notes."""
    name = name or path.name
    check_not_empty(path, name)
    binary = path.open("rb")
    sample = binary.read(SAMPLE)
    binary.seek(0)
    if encoding is None:
        if _bom_encoding(sample) is None and _looks_binary(sample):
            binary.close()
            raise _binary(name)
        encoding = detect_encoding(path, sample)
    else:
        try:
            known = codecs.lookup(encoding)._is_text_encoding
        except LookupError:
            known = False
        if not known:
            binary.close()
            shown = encoding[:40]
            raise FileRejected(f"Encodage inconnu : {shown}", f"Unknown encoding: {shown}")
    # The sample as text, for the test of binary content (UTF-16 has a NUL in every ASCII letter).
    decoded = codecs.getincrementaldecoder(encoding)("replace").decode(sample)
    if _looks_binary(decoded):
        binary.close()
        raise _binary(name)
    stream = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    notes = [f"encodage : {encoding}"]
    return TextSource(path=path, encoding=encoding, binary=binary, stream=stream, name=name, notes=notes)


def _binary(name: str) -> FileRejected:
    return FileRejected(
        f"{name} n'est pas un fichier texte (contenu binaire).",
        f"{name} is not a text file (binary content).",
    )


def sniff_delimiter(header: str) -> str:
    """Return the delimiter of a header line: the most frequent of ; , tab and |."""
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.__getitem__)
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
        raise FileRejected(f"{source.name} est vide.", f"{source.name} is empty.")
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
                f"{source.name}, ligne {reader.line_num + 1} : CSV illisible ({exc}).",
                f"{source.name}, line {reader.line_num + 1}: unreadable CSV ({exc}).",
            ) from None

    return header, rows()


def _said(exc: Exception, path: Path, name: str) -> str:
    """A library's error message, short, and with the person's file name for the stored one."""
    text = str(exc).replace(str(path), name).replace(path.name, name)
    return text if len(text) <= 200 else text[:199] + "…"


def check_xlsx(path: Path, name: str | None = None) -> list[str]:
    """Refuse a file that is not an XLSX workbook, or whose content would blow up when unpacked.
    Return notes (macros present…). `name` is the file's name as the person knows it."""
    name = name or path.name
    check_not_empty(path, name)
    if not zipfile.is_zipfile(path):
        raise FileRejected(
            f"{name} n'est pas un classeur XLSX (ce n'est pas une archive zip).",
            f"{name} is not an XLSX workbook (not a zip archive).",
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
                    f"{name} : contenu décompressé démesuré ({info.filename}, {info.file_size:,} "
                    "octets) ; fichier refusé (bombe zip ?).".replace(",", " "),
                    f"{name}: oversized uncompressed content ({info.filename}); refused (zip bomb?).",
                )
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise FileRejected(
                f"{name} est une archive zip mais pas un classeur XLSX.",
                f"{name} is a zip archive but not an XLSX workbook.",
            )
        if any(n.endswith("vbaProject.bin") for n in names):
            notes.append("macros présentes : ignorées, jamais exécutées")
    return notes


def xlsx_rows(
    path: Path, sheet: str | None = None, name: str | None = None
) -> tuple[list[str], Iterator[tuple[int, list[object]]], list[str], Callable[[], None]]:
    """Return the header, an iterator of (row number, values), notes, and a function that
    closes the workbook, for a sheet of a workbook. Formulas give their last computed value;
    they are never evaluated."""
    name = name or path.name
    notes = check_xlsx(path, name)
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
            f"{name} : XML dangereux refusé ({type(exc).__name__}).",
            f"{name}: dangerous XML refused ({type(exc).__name__}).",
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        handle.close()
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise FileRejected(
                f"{name} : XML dangereux refusé ({type(cause).__name__}).",
                f"{name}: dangerous XML refused ({type(cause).__name__}).",
            ) from None
        raise FileRejected(
            f"{name} : classeur illisible ({type(exc).__name__}: {_said(exc, path, name)}).",
            f"{name}: unreadable workbook ({type(exc).__name__}: {_said(exc, path, name)}).",
        ) from None
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except KeyError:
        close()
        raise FileRejected(
            f"{name} : pas de feuille « {sheet} » (feuilles : {', '.join(workbook.sheetnames)}).",
            f"{name}: no sheet '{sheet}' (sheets: {', '.join(workbook.sheetnames)}).",
        ) from None
    values = worksheet.iter_rows(values_only=True)
    try:
        header_row = next(values, None)
    except DefusedXmlException as exc:
        close()
        raise FileRejected(
            f"{name} : XML dangereux refusé ({type(exc).__name__}).",
            f"{name}: dangerous XML refused ({type(exc).__name__}).",
        ) from None
    if header_row is None:
        close()
        raise FileRejected(f"{name} : la feuille est vide.", f"{name}: the sheet is empty.")
    header = ["" if h is None else str(h).strip() for h in header_row]
    notes.append(f"feuille : {worksheet.title}")

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            for number, row in enumerate(values, 2):
                if any(v not in (None, "") for v in row):
                    yield number, list(row)
        except DefusedXmlException as exc:
            raise FileRejected(
                f"{name} : XML dangereux refusé ({type(exc).__name__}).",
                f"{name}: dangerous XML refused ({type(exc).__name__}).",
            ) from None
        finally:
            close()

    return header, rows(), notes, close
