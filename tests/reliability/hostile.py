"""The table of hostile cases: each a small function that builds its input in a temporary
folder (a :class:`Lab`) and runs the real console script on it.

Every case declares what the README promises for it: ``"error"`` (a clean, one-line refusal
that changes nothing), ``"output"`` (exit 0 and outputs that parse) or ``"either"`` (the
README does not say; either is fine, a traceback, a hang or a half-written file is not).
:func:`run_case` runs one case and returns its record with the verdict of
:func:`tests.reliability.harness.judge`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests.reliability.harness import (SAMPLE, TANDEM, Outcome, changes, copy_tree, judge, snapshot,
                                       tandem)

ERROR, OUTPUT, EITHER = "error", "output", "either"
X12 = "urn:oasis:names:tc:xliff:document:1.2"
X2 = "urn:oasis:names:tc:xliff:document:2.0"
NS12 = {"x": X12}
NS2 = {"x": X2}
SRX_NS = "http://www.lisa.org/srx20"
MiB = 1024 * 1024
ARTICLE = "harbor-radar"


# --- the shared inputs, built once ------------------------------------------------------------

@dataclass(frozen=True)
class Fixtures:
    """What every case may start from: an installed packages folder (never written by a
    case: installs go to a copy), a workspace with the sample article run through the
    tiny models, a valid ``.argosmodel`` and, built on first use, the zip bomb."""

    root: Path
    packages: Path
    workspace: Path  # an --out folder holding harbor-radar/ and tandem.db
    archive: Path  # a valid en->ru .argosmodel

    @classmethod
    def build(cls, root: Path, packages: Path, archive: Path) -> "Fixtures":
        """Run the sample article into ``root/workspace`` with the models in ``packages``."""
        article = root / "template-input" / f"{ARTICLE}.txt"
        article.parent.mkdir(parents=True)
        shutil.copy(SAMPLE, article)
        out = root / "workspace"
        result = tandem("run", article, "--out", out, packages=packages, cwd=root)
        if result.returncode != 0:
            raise RuntimeError(f"cannot build the hostile-case workspace: {result.stderr.strip()}")
        return cls(root, packages, out, archive)

    def zip_bomb(self) -> Path:
        """A real package plus one member of 1 GiB of zeros: about 2.6 MB on disk."""
        bomb = self.root / "zip-bomb.argosmodel"
        if not bomb.exists():
            members = read_zip(self.archive)
            top = members[0][0].filename.split("/")[0]
            partial = bomb.with_suffix(".partial")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
                for info, data in members:
                    zf.writestr(info, data)
                with zf.open(f"{top}/stanza/tokenize.pt", "w", force_zip64=True) as f:
                    zeros = bytes(16 * MiB)
                    for _ in range(64):
                        f.write(zeros)
            partial.rename(bomb)
        return bomb


class Lab:
    """One case's temporary folder, and the runs it makes there."""

    def __init__(self, folder: Path, fixtures: Fixtures) -> None:
        self.dir = folder
        self.fixtures = fixtures
        self.out = folder / "box" / "out"  # one level of nesting: an escape above --out stays in the lab

    def path(self, relative: str | os.PathLike) -> Path:
        return self.dir / relative

    def write(self, relative: str | os.PathLike, data: bytes | str) -> Path:
        """Write an input file (parents created)."""
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def article(self, name: str = f"{ARTICLE}.txt", data: bytes | str | None = None) -> Path:
        """An article in ``in/`` (the sample's text unless ``data`` is given)."""
        return self.write(Path("in") / name, SAMPLE.read_bytes() if data is None else data)

    def workspace(self) -> Path:
        """A copy of the workspace (the sample run with MT) as this lab's ``--out``."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        return copy_tree(self.fixtures.workspace, self.out)

    def packages(self) -> Path:
        """A copy of the installed packages folder that this case may install into."""
        return copy_tree(self.fixtures.packages, self.dir / "packages")

    def xliff(self, lang: str = "ru", version: str = "1.2") -> bytes:
        """The workspace's XLIFF of the sample article (call :meth:`workspace` first)."""
        suffix = ".xlf" if version == "1.2" else ".xliff2.xlf"
        return (self.out / ARTICLE / f"{ARTICLE}.en-{lang}{suffix}").read_bytes()

    def run(self, *args: str | Path, writes: tuple[Path, ...] = (), stdin: bytes | None = None,
            cwd: Path | None = None) -> Outcome:
        """Run ``tandem ARGS`` and record what changed in the lab and the shared packages.

        ``writes``: where a successful run may write (anything else changing is a failure)."""
        watched = (self.dir, self.fixtures.packages)
        before = snapshot(*watched)
        result = tandem(*args, packages=self.fixtures.packages, cwd=cwd or self.dir, stdin=stdin)
        return Outcome(result, changes(before, snapshot(*watched)), writes)

    def run_article(self, article: Path, *options: str) -> Outcome:
        """``tandem run ARTICLE --out OUT`` (with the tiny models)."""
        return self.run("run", article, "--out", self.out, *options, writes=(self.out,))

    def merge(self, reviewed: Path, *options: str) -> Outcome:
        return self.run("merge", reviewed, "--out", self.out, *options, writes=(self.out,))


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    expect: str
    func: Callable[[Lab], Outcome]

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""


CASES: dict[str, Case] = {}


def case(category: str, expect: str = EITHER) -> Callable[[Callable[[Lab], Outcome]], Callable[[Lab], Outcome]]:
    """Register a case function in :data:`CASES` under its name."""
    def register(func: Callable[[Lab], Outcome]) -> Callable[[Lab], Outcome]:
        CASES[func.__name__] = Case(func.__name__, category, expect, func)
        return func
    return register


# --- helpers the cases share ------------------------------------------------------------------

def targets12(out: Path, lang: str = "ru", name: str = ARTICLE) -> dict[str, tuple[str, str, str | None]]:
    """unit id -> (source, target text, state) of an article's XLIFF 1.2."""
    tree = etree.parse(str(out / name / f"{name}.en-{lang}.xlf"))
    shown = {}
    for unit in tree.iterfind(".//x:trans-unit", NS12):
        target = unit.find("x:target", NS12)
        text = "".join(target.itertext()) if target is not None else ""
        shown[unit.get("id")] = ("".join(unit.find("x:source", NS12).itertext()), text,
                                 target.get("state") if target is not None else None)
    return shown


def reviewed12(data: bytes, edits: dict[int, str], state: str = "translated") -> etree._ElementTree:
    """The XLIFF 1.2 ``data`` with the targets of units number ``edits`` (0-based) replaced."""
    tree = etree.ElementTree(etree.fromstring(data))
    units = list(tree.iterfind(".//x:trans-unit", NS12))
    for index, text in edits.items():
        target = units[index].find("x:target", NS12)
        target.text = text
        target.set("state", state)
        target.attrib.pop("state-qualifier", None)
    return tree


def to_bytes(tree: etree._ElementTree, encoding: str = "UTF-8") -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding=encoding)


def merged_counts(stdout: str) -> dict[str, int]:
    """The counts of a merge summary line ("2 updated, 23 unchanged, ... 0 rejected")."""
    return {word: int(n) for n, word in re.findall(r"(\d+) (updated|unchanged|untouched|rejected)", stdout)}


def no_secret(outcome: Outcome, root: Path) -> Outcome:
    """/etc/passwd must not reach stdout, stderr or any file under ``root``."""
    leaked = "root:x:" in outcome.result.stdout + outcome.result.stderr
    if root.is_dir():
        leaked |= any(b"root:x:" in p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return outcome.require(not leaked, "the content of /etc/passwd leaked")


def read_zip(archive: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(archive) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as zf:
        for info, data in members:
            if isinstance(info, zipfile.ZipInfo):
                info = _copy_info(info, compression)
            zf.writestr(info, data)
    return path


def _copy_info(info: zipfile.ZipInfo, compression: int) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.external_attr, copy.compress_type = info.external_attr, compression
    return copy


def package_with(lab: Lab, name: str, change: Callable[[str, bytes], bytes | None],
                 extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> Path:
    """A copy of the valid archive with each member's bytes passed through ``change``
    (``None`` drops the member), plus ``extra`` members."""
    members = []
    for info, data in read_zip(lab.fixtures.archive):
        new = change(info.filename, data)
        if new is not None:
            members.append((info, new))
    return write_zip(lab.path(name), [*members, *extra])


def top_folder(lab: Lab) -> str:
    return read_zip(lab.fixtures.archive)[0][0].filename.split("/")[0]


def install(lab: Lab, archive: Path) -> Outcome:
    """``tandem models install --file ARCHIVE --models-dir`` a copy of the packages."""
    packages = lab.packages()
    return lab.run("models", "install", "--file", archive, "--models-dir", packages, writes=(packages,))


def tmx(units: list[dict[str, str]], body: bool = True, prolog: str = "") -> bytes:
    """A TMX 1.4 document of ``units`` (language -> segment text; "" is a blank segment)."""
    tus = "".join("<tu>" + "".join(f'<tuv xml:lang="{lang}"><seg>{text}</seg></tuv>' for lang, text in tu.items())
                  + "</tu>" for tu in units)
    inner = f"<body>{tus}</body>" if body else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<tmx version="1.4"><header creationtool="t" '
            f'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" '
            f'datatype="plaintext"/>{inner}</tmx>').encode("utf-8")


def sample_units(count: int = 3) -> list[dict[str, str]]:
    """The first ``count`` sentences of the sample with made-up Russian and Japanese."""
    sentences = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n\n") if line.strip()]
    return [{"en": _xml_text(s.strip()), "ru": f"Перевод {i}.", "ja": f"翻訳{i}。"}
            for i, s in enumerate(sentences[:count])]


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def srx(rules: str, mapped: bool = True, prolog: str = "") -> bytes:
    """An SRX 2.0 file with one language rule set ``rules`` (mapped to every language)."""
    maps = '<languagemap languagepattern=".*" languagerulename="R"/>' if mapped else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<srx xmlns="{SRX_NS}" version="2.0">'
            f'<header segmentsubflows="yes" cascade="no"/><body><languagerules>'
            f'<languagerule languagerulename="R">{rules}</languagerule></languagerules>'
            f'<maprules>{maps}</maprules></body></srx>').encode("utf-8")


def segment(lab: Lab, text: bytes | str, rules: bytes) -> Outcome:
    """``tandem segment ARTICLE --rules RULES.srx`` (writes nothing)."""
    article = lab.write("in/a.txt", text)
    return lab.run("segment", article, "--rules", lab.write("rules.srx", rules))


def mkfifo(lab: Lab, relative: str) -> Path:
    path = lab.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def symlink(lab: Lab, relative: str, target: str) -> Path:
    path = lab.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def article_folder_made(outcome: Outcome, out: Path, name: str) -> Outcome:
    """A run that succeeded wrote ``out/NAME/`` with its report."""
    if outcome.result.returncode == 0:
        outcome.require((out / name / "report.json").is_file(), f"no {name}/report.json under --out")
    return outcome


# --- articles ---------------------------------------------------------------------------------

@case("articles")
def article_empty(lab: Lab) -> Outcome:
    """An empty file."""
    return lab.run_article(lab.article("empty.txt", b""))


@case("articles")
def article_whitespace(lab: Lab) -> Outcome:
    """Only spaces, tabs and blank lines."""
    return lab.run_article(lab.article("blank.txt", b"  \n\t\n\n   \n\n"))


@case("articles")
def article_bom_only(lab: Lab) -> Outcome:
    """A UTF-8 byte order mark and nothing else."""
    return lab.run_article(lab.article("bom.txt", b"\xef\xbb\xbf"))


@case("articles", ERROR)
def article_nul(lab: Lab) -> Outcome:
    """A NUL byte: XML cannot hold it; refused with its character offset."""
    outcome = lab.run_article(lab.article("nul.txt", b"The port opened.\x00 Ships came in.\n"))
    return outcome.require("16" in outcome.result.stderr, "the error does not give the NUL's offset (16)")


@case("articles", ERROR)
def article_escape_char(lab: Lab) -> Outcome:
    """An ESC (0x1b) inside a sentence (a terminal colour code pasted in)."""
    return lab.run_article(lab.article("esc.txt", b"The port \x1b[31mopened\x1b[0m today.\n"))


@case("articles")
def article_form_feed_vertical_tab(lab: Lab) -> Outcome:
    """Form feed and vertical tab: Python counts them as line breaks, XML cannot hold them."""
    return lab.run_article(lab.article("ff.txt", b"One ship.\x0cTwo ships.\x0bThree ships.\n"))


@case("articles", OUTPUT)
def article_unicode_line_separators(lab: Lab) -> Outcome:
    """NEL (U+0085), LINE and PARAGRAPH SEPARATOR: valid XML, odd line breaks."""
    return lab.run_article(lab.article("nel.txt", "One ship.\u0085Two ships.\u2028Three.\u2029Four.\n"))


@case("articles")
def article_noncharacters(lab: Lab) -> Outcome:
    """U+FFFE and U+FFFF: valid UTF-8, but not characters XML can hold."""
    return lab.run_article(lab.article("nonchar.txt", "The port \ufffe opened \uffff today.\n"))


@case("articles", OUTPUT)
def article_bidi_and_zero_width(lab: Lab) -> Outcome:
    """Bidi overrides, zero-width joiners and emoji: valid text that must come out intact."""
    text = "The port \u202eopened\u202c today \U0001F6A2.\u200d Ships\u200b came in.\n"
    outcome = lab.run_article(lab.article("bidi.txt", text))
    if outcome.result.returncode == 0:
        sources = "".join(s for s, _, _ in targets12(lab.out, "ru", "bidi").values())
        outcome.require("\u202eopened\u202c" in sources and "\U0001F6A2" in sources,
                        "the XLIFF source lost the bidi controls or the emoji")
    return outcome


@case("articles", ERROR)
def article_invalid_utf8(lab: Lab) -> Outcome:
    """Latin-1 bytes (0xE9) that are not UTF-8."""
    return lab.run_article(lab.article("latin1.txt", "Café owners protested.\n".encode("latin-1")))


@case("articles", ERROR)
def article_utf8_surrogate(lab: Lab) -> Outcome:
    """An encoded UTF-16 surrogate (CESU-8): not valid UTF-8."""
    return lab.run_article(lab.article("cesu.txt", b"The port \xed\xa0\x80 opened.\n"))


@case("articles", ERROR)
def article_utf16_without_bom(lab: Lab) -> Outcome:
    """UTF-16-LE without a BOM: every other byte is NUL."""
    return lab.run_article(lab.article("utf16.txt", "The port opened today.\n".encode("utf-16-le")))


@case("articles")
def article_utf16_with_bom(lab: Lab) -> Outcome:
    """UTF-16 with a BOM (what Windows Notepad used to save)."""
    return lab.run_article(lab.article("utf16bom.txt", "The port opened today.\n".encode("utf-16")))


@case("articles")
def article_ebcdic(lab: Lab) -> Outcome:
    """EBCDIC (cp500) text from a mainframe export."""
    return lab.run_article(lab.article("ebcdic.txt", "The port opened today. Ships came in.\n".encode("cp500")))


@case("articles", ERROR)
def article_symlink_to_dev_zero(lab: Lab) -> Outcome:
    """An article that is a symlink to /dev/zero: endless NUL bytes."""
    return lab.run_article(symlink(lab, "in/zero.txt", "/dev/zero"))


@case("articles", ERROR)
def article_symlink_to_dev_null(lab: Lab) -> Outcome:
    """A symlink to /dev/null: a character device, not an article."""
    return lab.run_article(symlink(lab, "in/null.txt", "/dev/null"))


@case("articles", ERROR)
def article_fifo(lab: Lab) -> Outcome:
    """A FIFO with no writer: opening it naively waits forever."""
    return lab.run_article(mkfifo(lab, "in/pipe.txt"))


@case("articles", ERROR)
def article_directory(lab: Lab) -> Outcome:
    """A directory named like an article."""
    folder = lab.path("in/folder.txt")
    folder.mkdir(parents=True)
    return lab.run_article(folder)


@case("articles", ERROR)
def article_missing(lab: Lab) -> Outcome:
    """A file that does not exist."""
    return lab.run_article(lab.path("in/missing.txt"))


@case("articles", ERROR)
def article_15_mb(lab: Lab) -> Outcome:
    """A 15 MB article (a log or dump given by mistake)."""
    text = SAMPLE.read_bytes()
    return lab.run_article(lab.article("huge.txt", (text + b"\n\n") * (15 * MiB // len(text) + 1)))


@case("articles")
def article_long_line_of_sentences(lab: Lab) -> Outcome:
    """A 1 MB single line of 30,000 sentences (one paragraph), without MT."""
    line = b" ".join([b"The ferry left the harbor at dawn."] * (MiB // 35))
    return lab.run_article(lab.article("longline.txt", line + b"\n"), "--no-mt")


@case("articles")
def article_long_sentence(lab: Lab) -> Outcome:
    """One 200 KB sentence without punctuation, through MT (cut into pieces, one unit)."""
    return lab.run_article(lab.article("longsentence.txt", b"radar " * 34_000 + b"\n"))


@case("articles")
def article_long_word(lab: Lab) -> Outcome:
    """100 KB without a space: no clause or word start to cut a long segment at."""
    return lab.run_article(lab.article("longword.txt", b"a" * 100_000 + b"\n"))


@case("articles", OUTPUT)
def article_lone_carriage_returns(lab: Lab) -> Outcome:
    """Old Mac line ends (CR only) and CRLF mixed."""
    return lab.run_article(lab.article("cr.txt", b"One ship.\r\rTwo ships.\r\n\r\nThree ships.\r"))


@case("articles", OUTPUT)
def article_markup_is_text(lab: Lab) -> Outcome:
    """Markup in the text: it must stay text (no <script> element in any page)."""
    text = "The <script>alert(1)</script> port & its ]]> <!-- x --> &amp; docks opened.\n"
    outcome = lab.run_article(lab.article("markup.txt", text))
    if outcome.result.returncode == 0:
        from lxml import html
        pages = list((lab.out / "markup").glob("*.html"))
        scripts = [p.name for p in pages if html.parse(str(p)).getroot().findall(".//script")]
        outcome.require(not scripts, f"a <script> element in {scripts}")
    return outcome


@case("articles", ERROR)
def article_name_dot(lab: Lab) -> Outcome:
    """``..txt``: its stem '.' would be --out itself."""
    return lab.run_article(lab.article("..txt"))


@case("articles", ERROR)
def article_name_dot_dot(lab: Lab) -> Outcome:
    """``...txt``: its stem '..' would be the folder above --out."""
    return lab.run_article(lab.article("...txt"))


@case("articles", ERROR)
def article_name_hidden(lab: Lab) -> Outcome:
    """``.x.txt``: a hidden folder, which the leftover cleaner would treat as a dot-file."""
    return lab.run_article(lab.article(".x.txt"))


@case("articles", ERROR)
def article_name_tandem_db(lab: Lab) -> Outcome:
    """``tandem.db.txt``: its folder would be the memory file."""
    return lab.run_article(lab.article("tandem.db.txt"))


@case("articles", ERROR)
def article_name_too_long(lab: Lab) -> Outcome:
    """A 240-byte name (the limit for a folder name is 255 bytes, Tandem's 200)."""
    return lab.run_article(lab.article("x" * 236 + ".txt"))


@case("articles", ERROR)
def article_name_leading_dash(lab: Lab) -> Outcome:
    """``-x.txt`` given as it is: an option to argparse; the error says how to pass it."""
    lab.article("-x.txt")
    outcome = lab.run("run", "-x.txt", "--out", lab.out, cwd=lab.path("in"), writes=(lab.out,))
    return outcome.require("./-name" in outcome.result.stderr, "no hint to write ./-name")


@case("articles", OUTPUT)
def article_name_leading_dash_dot_slash(lab: Lab) -> Outcome:
    """``./-x.txt``: the same file, passed as the hint says."""
    lab.article("-x.txt")
    outcome = lab.run("run", "./-x.txt", "--out", lab.out, cwd=lab.path("in"), writes=(lab.out,))
    return article_folder_made(outcome, lab.out, "-x")


@case("articles", OUTPUT)
def article_name_after_double_dash(lab: Lab) -> Outcome:
    """``-- -x.txt``: the other way to pass it."""
    lab.article("-x.txt")
    outcome = lab.run("run", "--out", lab.out, "--", "-x.txt", cwd=lab.path("in"), writes=(lab.out,))
    return article_folder_made(outcome, lab.out, "-x")


@case("articles", OUTPUT)
def article_name_cyrillic(lab: Lab) -> Outcome:
    """A Cyrillic file name."""
    return article_folder_made(lab.run_article(lab.article("статья.txt")), lab.out, "статья")


@case("articles", OUTPUT)
def article_name_japanese_and_emoji(lab: Lab) -> Outcome:
    """Japanese and an emoji outside the BMP in the name."""
    return article_folder_made(lab.run_article(lab.article("記事🚢.txt")), lab.out, "記事🚢")


@case("articles", OUTPUT)
def article_name_decomposed(lab: Lab) -> Outcome:
    """A name in NFD (as macOS writes it): e + combining acute."""
    name = unicodedata.normalize("NFD", "café")
    return article_folder_made(lab.run_article(lab.article(f"{name}.txt")), lab.out, name)


@case("articles")
def article_name_backslash(lab: Lab) -> Outcome:
    """A backslash in the name (a folder separator on Windows)."""
    return article_folder_made(lab.run_article(lab.article("a\\b.txt")), lab.out, "a\\b")


@case("articles")
def article_name_newline(lab: Lab) -> Outcome:
    """A line break in the name."""
    return article_folder_made(lab.run_article(lab.article("two\nlines.txt")), lab.out, "two\nlines")


@case("articles")
def article_name_not_utf8(lab: Lab) -> Outcome:
    """A name whose bytes are not UTF-8 (0xFF): Python sees surrogate escapes."""
    name = os.fsdecode(b"bad\xff.txt")
    return lab.run_article(lab.article(name))


@case("articles", OUTPUT)
def article_name_markup(lab: Lab) -> Outcome:
    """A name with markup: the pages must show it as text."""
    outcome = lab.run_article(lab.article("<i>&amp;\".txt"))
    if outcome.result.returncode == 0:
        index = (lab.out / "<i>&amp;\"" / "index.html").read_bytes()
        outcome.require(b"<i>&amp;" not in index, "the name reached index.html as markup")
    return outcome


@case("articles")
def article_two_with_the_same_name(lab: Lab) -> Outcome:
    """Two articles of one run whose names collide (a/x.txt, b/x.txt)."""
    first, second = lab.article("a/x.txt"), lab.article("b/x.txt", "Another article. It differs.\n")
    return lab.run("run", first, second, "--out", lab.out, writes=(lab.out,))


# --- reviewed XLIFF for merge ----------------------------------------------------------------

PASSWD_ENTITY = b'<!DOCTYPE xliff [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _with_prolog(data: bytes, prolog: bytes) -> bytes:
    """``data`` with ``prolog`` after its XML declaration."""
    head, rest = data.split(b"?>", 1)
    return head + b"?>" + prolog + rest


def _first_target_is(data: bytes, text: bytes) -> bytes:
    """The first <target>...</target> of an XLIFF 1.2 document replaced by ``text``."""
    return re.sub(rb"(<target[^>]*>)[^<]*(</target>)", lambda m: m[1] + text + m[2], data, count=1)


@case("merge", ERROR)
def xliff_external_entity(lab: Lab) -> Outcome:
    """XXE: an entity that reads /etc/passwd into a target."""
    lab.workspace()
    data = _first_target_is(_with_prolog(lab.xliff(), PASSWD_ENTITY), b"&e;")
    return no_secret(lab.merge(lab.write("xxe.xlf", data)), lab.out)


@case("merge", ERROR)
def xliff_billion_laughs(lab: Lab) -> Outcome:
    """Entities nested ten deep (a billion laughs)."""
    lab.workspace()
    entities = b'<!ENTITY a0 "lol">' + b"".join(
        b'<!ENTITY a%d "%s">' % (i, b"".join(b"&a%d;" % (i - 1) for _ in range(10))) for i in range(1, 10))
    data = _first_target_is(_with_prolog(lab.xliff(), b"<!DOCTYPE xliff [" + entities + b"]>"), b"&a9;")
    return lab.merge(lab.write("lol.xlf", data))


@case("merge", ERROR)
def xliff_external_dtd(lab: Lab) -> Outcome:
    """An external DTD (on a loopback port nobody listens on)."""
    lab.workspace()
    data = _with_prolog(lab.xliff(), b'<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/xliff.dtd">')
    return lab.merge(lab.write("dtd.xlf", data))


@case("merge", ERROR)
def xliff_plain_doctype(lab: Lab) -> Outcome:
    """A bare <!DOCTYPE xliff> with no declarations: a DTD still stops the merge."""
    lab.workspace()
    return lab.merge(lab.write("doctype.xlf", _with_prolog(lab.xliff(), b"<!DOCTYPE xliff>")))


@case("merge", ERROR)
def xliff_utf16_doctype(lab: Lab) -> Outcome:
    """The XXE file encoded as UTF-16 (so a byte search for <!DOCTYPE misses it)."""
    lab.workspace()
    tree = etree.ElementTree(etree.fromstring(lab.xliff()))
    text = etree.tostring(tree, encoding="unicode")
    data = ('<?xml version="1.0" encoding="UTF-16"?>' + PASSWD_ENTITY.decode() + text).encode("utf-16")
    return no_secret(lab.merge(lab.write("utf16.xlf", data)), lab.out)


@case("merge", ERROR)
def xliff_utf32_doctype(lab: Lab) -> Outcome:
    """The XXE file encoded as UTF-32 with a BOM."""
    lab.workspace()
    text = etree.tostring(etree.fromstring(lab.xliff()), encoding="unicode")
    data = ('<?xml version="1.0" encoding="UTF-32"?>' + PASSWD_ENTITY.decode() + text).encode("utf-32")
    return no_secret(lab.merge(lab.write("utf32.xlf", data)), lab.out)


@case("merge", OUTPUT)
def xliff_utf16_reviewed(lab: Lab) -> Outcome:
    """A harmless review saved as UTF-16 (some Windows tools do): merged."""
    lab.workspace()
    data = to_bytes(reviewed12(lab.xliff(), {0: "Проверено в UTF-16."}), "UTF-16")
    outcome = lab.merge(lab.write("utf16ok.xlf", data))
    if outcome.result.returncode == 0:
        outcome.require(targets12(lab.out)["p1.s1"][1] == "Проверено в UTF-16.", "the UTF-16 review was not merged")
    return outcome


@case("merge", ERROR)
def xliff_not_well_formed(lab: Lab) -> Outcome:
    """Mismatched tags."""
    lab.workspace()
    return lab.merge(lab.write("bad.xlf", lab.xliff().replace(b"</source>", b"</sauce>", 1)))


@case("merge", ERROR)
def xliff_truncated(lab: Lab) -> Outcome:
    """The file cut in half (a copy interrupted)."""
    lab.workspace()
    data = lab.xliff()
    return lab.merge(lab.write("half.xlf", data[: len(data) // 2]))


@case("merge", ERROR)
def xliff_wrong_root(lab: Lab) -> Outcome:
    """An HTML page given as XLIFF."""
    lab.workspace()
    return lab.merge(lab.write("page.xlf", b"<html><body><p>hello</p></body></html>"))


@case("merge", ERROR)
def xliff_unknown_namespace(lab: Lab) -> Outcome:
    """An <xliff> in a namespace that is not XLIFF's."""
    lab.workspace()
    return lab.merge(lab.write("ns.xlf", lab.xliff().replace(X12.encode(), b"urn:example:not-xliff")))


@case("merge", OUTPUT)
def xliff_namespaceless_12(lab: Lab) -> Outcome:
    """A namespace-less <xliff version="1.2"> (old tools): read as 1.2 and merged."""
    lab.workspace()
    data = to_bytes(reviewed12(lab.xliff(), {0: "Без пространства имён."}))
    outcome = lab.merge(lab.write("nons.xlf", data.replace(f' xmlns="{X12}"'.encode(), b"")))
    if outcome.result.returncode == 0:
        outcome.require(targets12(lab.out)["p1.s1"][1] == "Без пространства имён.", "the review was not merged")
    return outcome


def _xliff2_cp(lab: Lab, hex_value: str) -> Outcome:
    """A 2.x review whose first target holds <cp hex=HEX/>: that unit is rejected."""
    lab.workspace()
    root = etree.fromstring(lab.xliff("ru", "2.1"))
    segment_element = root.find(".//x:segment", NS2)
    segment_element.set("state", "translated")
    target = segment_element.find("x:target", NS2)
    target.text = "Код "
    etree.SubElement(target, f"{{{X2}}}cp", hex=hex_value).tail = " внутри."
    outcome = lab.merge(lab.write("cp.xlf", etree.tostring(root, xml_declaration=True, encoding="UTF-8")))
    if outcome.result.returncode == 0:
        outcome.require(merged_counts(outcome.result.stdout).get("rejected") == 1, "the unit was not rejected")
        outcome.require(not targets12(lab.out)["p1.s1"][1].startswith("Код"), "the unit was merged")
    return outcome


@case("merge", OUTPUT)
def xliff2_cp_nul(lab: Lab) -> Outcome:
    """XLIFF 2.1 with <cp hex="0"/> (NUL) in a target."""
    return _xliff2_cp(lab, "0")


@case("merge", OUTPUT)
def xliff2_cp_noncharacter(lab: Lab) -> Outcome:
    """XLIFF 2.1 with <cp hex="FFFE"/> in a target."""
    return _xliff2_cp(lab, "FFFE")


@case("merge")
def xliff2_cp_out_of_range(lab: Lab) -> Outcome:
    """XLIFF 2.1 with <cp hex="110000"/> (past the last code point)."""
    return _xliff2_cp(lab, "110000")


@case("merge")
def xliff_20_mb_attribute(lab: Lab) -> Outcome:
    """A 20 MB attribute on <xliff> (past libxml2's 10 MB text limit)."""
    lab.workspace()
    data = lab.xliff().replace(b'version="1.2"', b'version="1.2" junk="' + b"j" * (20 * MiB) + b'"', 1)
    return lab.merge(lab.write("attr.xlf", data))


@case("merge")
def xliff_deep_nesting(lab: Lab) -> Outcome:
    """10,000 nested <g> elements in a target (stack depth)."""
    lab.workspace()
    deep = b'<g id="1">' * 10_000 + b"x" + b"</g>" * 10_000
    return lab.merge(lab.write("deep.xlf", _first_target_is(lab.xliff(), deep)))


@case("merge", OUTPUT)
def xliff_duplicate_ids(lab: Lab) -> Outcome:
    """The same unit id twice with different targets: the repeat is rejected."""
    lab.workspace()
    tree = reviewed12(lab.xliff(), {0: "Первый вариант."})
    unit = tree.find(".//x:trans-unit", NS12)
    twin = etree.fromstring(etree.tostring(unit))
    twin.find("x:target", NS12).text = "Второй вариант."
    unit.addnext(twin)
    outcome = lab.merge(lab.write("dup.xlf", to_bytes(tree)))
    if outcome.result.returncode == 0:
        outcome.require("duplicate" in outcome.result.stdout, "no 'duplicate' in the summary")
        # The first of the two is merged (the summary counts it), the repeat is rejected.
        outcome.require(targets12(lab.out)["p1.s1"][1] != "Второй вариант.", "the repeated unit was merged")
    return outcome


@case("merge", OUTPUT)
def xliff_unknown_ids(lab: Lab) -> Outcome:
    """A unit id the article does not have (p99.s1): rejected, not added."""
    lab.workspace()
    tree = reviewed12(lab.xliff(), {})
    unit = tree.find(".//x:trans-unit", NS12)
    stranger = etree.fromstring(etree.tostring(unit))
    stranger.set("id", "p99.s1")
    stranger.find("x:target", NS12).text = "Чужак."
    stranger.find("x:target", NS12).set("state", "translated")
    unit.addnext(stranger)
    outcome = lab.merge(lab.write("unknown.xlf", to_bytes(tree)))
    if outcome.result.returncode == 0:
        outcome.require("p99.s1" not in targets12(lab.out), "p99.s1 appeared in the rebuilt XLIFF")
    return outcome


@case("merge", OUTPUT)
def xliff_source_changed(lab: Lab) -> Outcome:
    """A unit whose source was edited by the reviewer: rejected, its target not stored."""
    lab.workspace()
    tree = reviewed12(lab.xliff(), {0: "Перевод другого текста."})
    tree.find(".//x:source", NS12).text = "A sentence the article never had."
    outcome = lab.merge(lab.write("source.xlf", to_bytes(tree)))
    if outcome.result.returncode == 0:
        outcome.require(targets12(lab.out)["p1.s1"][1] != "Перевод другого текста.", "the changed unit was merged")
    return outcome


@case("merge", OUTPUT)
def xliff_target_in_another_language(lab: Lab) -> Outcome:
    """A target whose xml:lang is German in a Russian file: rejected."""
    lab.workspace()
    tree = reviewed12(lab.xliff(), {0: "Auf Deutsch."})
    tree.find(".//x:target", NS12).set("{http://www.w3.org/XML/1998/namespace}lang", "de")
    outcome = lab.merge(lab.write("de.xlf", to_bytes(tree)))
    if outcome.result.returncode == 0:
        outcome.require(targets12(lab.out)["p1.s1"][1] != "Auf Deutsch.", "the German target was merged")
    return outcome


@case("merge")
def xliff_huge_target(lab: Lab) -> Outcome:
    """A 5 MB target."""
    lab.workspace()
    return lab.merge(lab.write("bigtarget.xlf", to_bytes(reviewed12(lab.xliff(), {0: "огромный " * 310_000}))))


@case("merge", OUTPUT)
def xliff_empty_original(lab: Lab) -> Outcome:
    """original="" (Qt Linguist's lconvert): matched to the one stored article."""
    lab.workspace()
    data = to_bytes(reviewed12(lab.xliff(), {0: "Без имени файла."}))
    outcome = lab.merge(lab.write("noname.xlf", data.replace(b'original="harbor-radar.txt"', b'original=""')))
    if outcome.result.returncode == 0:
        outcome.require(targets12(lab.out)["p1.s1"][1] == "Без имени файла.", "the review was not merged")
    return outcome


@case("merge", ERROR)
def xliff_other_article(lab: Lab) -> Outcome:
    """A file for an article the memory does not hold."""
    lab.workspace()
    return lab.merge(lab.write("other.xlf", lab.xliff().replace(b'original="harbor-radar.txt"',
                                                                b'original="other.txt"')))


@case("merge", ERROR)
def xliff_wrong_language_pair(lab: Lab) -> Outcome:
    """A file for en->de, a pair the article does not have."""
    lab.workspace()
    return lab.merge(lab.write("de.xlf", lab.xliff().replace(b'target-language="ru"', b'target-language="de"')))


@case("merge", OUTPUT)
def xliff_emptied_targets(lab: Lab) -> Outcome:
    """Every target emptied: rejected one by one, the stored translations kept."""
    lab.workspace()
    before = targets12(lab.out)
    tree = reviewed12(lab.xliff(), {i: "" for i in range(len(before))})
    outcome = lab.merge(lab.write("empty.xlf", to_bytes(tree)))
    if outcome.result.returncode == 0:
        after = targets12(lab.out)
        outcome.require(all(after[i][1] == before[i][1] for i in before), "an emptied target replaced a translation")
    return outcome


@case("merge")
def xliff_no_units(lab: Lab) -> Outcome:
    """A well-formed file whose body is empty."""
    lab.workspace()
    return lab.merge(lab.write("none.xlf", re.sub(rb"<body>.*</body>", b"<body/>", lab.xliff(), flags=re.S)))


@case("merge", OUTPUT)
def xliff_xinclude(lab: Lab) -> Outcome:
    """An XInclude of /etc/passwd in a target: it must stay an (ignored) element."""
    lab.workspace()
    include = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    return no_secret(lab.merge(lab.write("xi.xlf", _first_target_is(lab.xliff(), include))), lab.out)


@case("merge", ERROR)
def xliff_directory_not_omegat(lab: Lab) -> Outcome:
    """A directory that is not an OmegaT project."""
    lab.workspace()
    folder = lab.path("project")
    (folder / "source").mkdir(parents=True)
    (folder / "notes.txt").write_text("not a project")
    return lab.merge(folder)


@case("merge", ERROR)
def xliff_missing_file(lab: Lab) -> Outcome:
    """A file that does not exist."""
    lab.workspace()
    return lab.merge(lab.path("missing.xlf"))


@case("merge", ERROR)
def xliff_fifo(lab: Lab) -> Outcome:
    """A FIFO given as the reviewed file."""
    lab.workspace()
    return lab.merge(mkfifo(lab, "pipe.xlf"))


@case("merge", ERROR)
def xliff_symlink_to_dev_zero(lab: Lab) -> Outcome:
    """A reviewed file that is a symlink to /dev/zero."""
    lab.workspace()
    return lab.merge(symlink(lab, "zero.xlf", "/dev/zero"))


# --- TMX for tm import and run --tm ---------------------------------------------------------

def _tm_import(lab: Lab, data: bytes) -> Outcome:
    return lab.run("tm", "import", lab.write("in.tmx", data), "--out", lab.out, writes=(lab.out,))


def _run_with_tm(lab: Lab, data: bytes) -> Outcome:
    return lab.run_article(lab.article(), "--tm", str(lab.write("in.tmx", data)), "--no-mt")


def _blank_targets() -> bytes:
    units = sample_units(3)
    units[0]["ru"], units[1]["ja"] = "", "   "
    return tmx(units)


@case("tmx")
def tmx_blank_targets_import(lab: Lab) -> Outcome:
    """Blank <seg> targets (empty and spaces) in tm import."""
    return _tm_import(lab, _blank_targets())


@case("tmx", OUTPUT)
def tmx_blank_targets_run(lab: Lab) -> Outcome:
    """run --tm with blank targets: a blank row is never offered as a translation."""
    outcome = _run_with_tm(lab, _blank_targets())
    if outcome.result.returncode == 0:
        shown = targets12(lab.out)
        outcome.require(not (shown["p1.s1"][1].strip() == "" and shown["p1.s1"][2] == "translated"),
                        "a blank TMX target is shown as a translation")
    return outcome


def _lang_traversal() -> bytes:
    units = sample_units(2)
    return tmx([{"en": u["en"], "../x": u["ru"]} for u in units])


@case("tmx")
def tmx_language_traversal_import(lab: Lab) -> Outcome:
    """xml:lang="../x": a language code that would be a path."""
    return _tm_import(lab, _lang_traversal())


@case("tmx")
def tmx_language_traversal_export(lab: Lab) -> Outcome:
    """xml:lang="../x" imported, then exported: the code must not become a path."""
    _tm_import(lab, _lang_traversal())
    export = lab.out / "export.tmx"
    return lab.run("tm", "export", export, "--out", lab.out, writes=(lab.out,))


@case("tmx")
def tmx_language_traversal_run(lab: Lab) -> Outcome:
    """run --tm with xml:lang="../x"."""
    return _run_with_tm(lab, _lang_traversal())


@case("tmx", ERROR)
def tmx_missing_body_import(lab: Lab) -> Outcome:
    """A TMX with a header and no <body>."""
    return _tm_import(lab, tmx(sample_units(1), body=False))


@case("tmx", ERROR)
def tmx_missing_body_run(lab: Lab) -> Outcome:
    """run --tm with a TMX without <body>: nothing written, no memory created."""
    return _run_with_tm(lab, tmx(sample_units(1), body=False))


@case("tmx", ERROR)
def tmx_entities_import(lab: Lab) -> Outcome:
    """Entity declarations in a TMX."""
    units = [{"en": "&e;", "ru": "&e;"}]
    return no_secret(_tm_import(lab, tmx(units, prolog='<!DOCTYPE tmx [<!ENTITY e SYSTEM "file:///etc/passwd">]>')),
                     lab.out)


@case("tmx", ERROR)
def tmx_entities_run(lab: Lab) -> Outcome:
    """run --tm with a billion-laughs TMX."""
    entities = '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    return _run_with_tm(lab, tmx([{"en": "&b;", "ru": "&b;"}], prolog=f"<!DOCTYPE tmx [{entities}]>"))


@case("tmx", ERROR)
def tmx_not_well_formed(lab: Lab) -> Outcome:
    """A TMX cut in the middle."""
    data = tmx(sample_units(3))
    return _tm_import(lab, data[: len(data) // 2])


@case("tmx", ERROR)
def tmx_wrong_root(lab: Lab) -> Outcome:
    """An XLIFF file given as TMX."""
    return _tm_import(lab, b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>')


@case("tmx", OUTPUT)
def tmx_huge(lab: Lab) -> Outcome:
    """30,000 translation units (about 5 MB)."""
    units = [{"en": f"Sentence number {i} about the harbor radar.", "ru": f"Предложение номер {i}.",
              "ja": f"文番号{i}。"} for i in range(30_000)]
    return _tm_import(lab, tmx(units))


@case("tmx", ERROR)
def tmx_symlink_to_dev_zero(lab: Lab) -> Outcome:
    """tm import of a symlink to /dev/zero."""
    return lab.run("tm", "import", symlink(lab, "zero.tmx", "/dev/zero"), "--out", lab.out, writes=(lab.out,))


# --- SRX rules for segment --rules -----------------------------------------------------------

@case("srx", ERROR)
def srx_bad_regex(lab: Lab) -> Outcome:
    """An unbalanced bracket in a rule."""
    outcome = segment(lab, "One. Two.", srx('<rule break="yes"><beforebreak>([a-</beforebreak>'
                                            '<afterbreak>\\s</afterbreak></rule>'))
    return outcome.require(":1" in outcome.result.stderr or "line" in outcome.result.stderr,
                           "the error gives no line number")


@case("srx", ERROR)
def srx_catastrophic_backtracking(lab: Lab) -> Outcome:
    """``(a|aa)+$`` against 60 a's and a b: exponential backtracking, must hit a time limit."""
    rules = '<rule break="yes"><beforebreak></beforebreak><afterbreak>(a|aa)+$</afterbreak></rule>'
    return segment(lab, "a" * 60 + "b\n", srx(rules))


@case("srx", ERROR)
def srx_no_languagemap(lab: Lab) -> Outcome:
    """Rules that no <languagemap> maps to a language."""
    rules = '<rule break="yes"><beforebreak>\\.</beforebreak><afterbreak>\\s</afterbreak></rule>'
    return segment(lab, "One. Two.", srx(rules, mapped=False))


@case("srx", ERROR)
def srx_entities(lab: Lab) -> Outcome:
    """An entity declaration used in a rule."""
    rules = '<rule break="yes"><beforebreak>&dot;</beforebreak><afterbreak>\\s</afterbreak></rule>'
    return segment(lab, "One. Two.", srx(rules, prolog='<!DOCTYPE srx [<!ENTITY dot "\\.">]>'))


@case("srx", ERROR)
def srx_external_entity(lab: Lab) -> Outcome:
    """An external entity reading /etc/passwd into a rule."""
    rules = '<rule break="yes"><beforebreak>&e;</beforebreak><afterbreak>\\s</afterbreak></rule>'
    outcome = segment(lab, "One. Two.", srx(rules, prolog='<!DOCTYPE srx [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
    return no_secret(outcome, lab.dir)


@case("srx", ERROR)
def srx_not_well_formed(lab: Lab) -> Outcome:
    """A rules file cut off."""
    data = srx('<rule break="yes"><beforebreak>\\.</beforebreak><afterbreak>\\s</afterbreak></rule>')
    return segment(lab, "One. Two.", data[:-40])


@case("srx", ERROR)
def srx_wrong_namespace(lab: Lab) -> Outcome:
    """An <srx> in SRX 1.0's namespace-less form."""
    data = srx('<rule break="yes"><beforebreak>\\.</beforebreak><afterbreak>\\s</afterbreak></rule>')
    return segment(lab, "One. Two.", data.replace(f' xmlns="{SRX_NS}"'.encode(), b""))


@case("srx", OUTPUT)
def srx_break_everywhere(lab: Lab) -> Outcome:
    """Empty before and after: a break at every position, one character per segment."""
    outcome = segment(lab, "Abc de.\n", srx('<rule break="yes"><beforebreak></beforebreak>'
                                            '<afterbreak></afterbreak></rule>'))
    return outcome.require(outcome.result.stdout.count("\n") >= 5, "not split at every character")


@case("srx", ERROR)
def srx_symlink_to_dev_zero(lab: Lab) -> Outcome:
    """A rules file that is a symlink to /dev/zero."""
    article = lab.write("in/a.txt", "One. Two.\n")
    return lab.run("segment", article, "--rules", symlink(lab, "zero.srx", "/dev/zero"))


@case("srx", ERROR)
def segment_stdin_nul(lab: Lab) -> Outcome:
    """``segment -`` with a NUL on standard input."""
    return lab.run("segment", "-", stdin=b"One.\x00 Two.\n")


@case("srx", ERROR)
def segment_stdin_15_mb(lab: Lab) -> Outcome:
    """``segment -`` with 15 MB on standard input."""
    return lab.run("segment", "-", stdin=b"The ferry left. " * (15 * MiB // 16))


# --- .argosmodel packages for models install --file ------------------------------------------

@case("models", OUTPUT)
def package_valid(lab: Lab) -> Outcome:
    """The valid test package (the control case): installed, replacing its own version."""
    return install(lab, lab.fixtures.archive)


@case("models", ERROR)
def package_zip_bomb(lab: Lab) -> Outcome:
    """A 2.6 MB archive that unpacks to over 1 GiB."""
    return install(lab, lab.fixtures.zip_bomb())


@case("models", ERROR)
def package_crc_corrupt(lab: Lab) -> Outcome:
    """A stored member whose bytes no longer match its CRC."""
    archive = write_zip(lab.path("crc.argosmodel"), read_zip(lab.fixtures.archive), zipfile.ZIP_STORED)
    with zipfile.ZipFile(archive) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("model.bin"))
    data = bytearray(archive.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset + 30])
    middle = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[middle] ^= 0xFF
    archive.write_bytes(bytes(data))
    return install(lab, archive)


@case("models", ERROR)
def package_truncated_zip(lab: Lab) -> Outcome:
    """The first 60% of the archive (an interrupted copy)."""
    data = lab.fixtures.archive.read_bytes()
    return install(lab, lab.write("cut.argosmodel", data[: len(data) * 6 // 10]))


@case("models", ERROR)
def package_tail_cut(lab: Lab) -> Outcome:
    """The archive without its last 10 bytes (a damaged end-of-central-directory record)."""
    return install(lab, lab.write("tail.argosmodel", lab.fixtures.archive.read_bytes()[:-10]))


def _model_bin_header_only(name: str, data: bytes) -> bytes:
    """model.bin cut just after its header (version, spec name, revision, variable count)."""
    if not name.endswith("model.bin"):
        return data
    spec_length = int.from_bytes(data[4:6], "little")
    return data[: 6 + spec_length + 4 + 4 + 8]


@case("models", ERROR)
def package_model_bin_truncated(lab: Lab) -> Outcome:
    """model.bin truncated right after its header."""
    return install(lab, package_with(lab, "short.argosmodel", _model_bin_header_only))


@case("models", ERROR)
def package_model_bin_garbage(lab: Lab) -> Outcome:
    """model.bin replaced by text."""
    return install(lab, package_with(lab, "garbage.argosmodel",
                                     lambda n, d: b"not a model\n" * 100 if n.endswith("model.bin") else d))


@case("models", ERROR)
def package_path_traversal(lab: Lab) -> Outcome:
    """A member named ``../x``."""
    return install(lab, package_with(lab, "slip.argosmodel", lambda n, d: d, [("../x", b"escaped")]))


@case("models", ERROR)
def package_nested_traversal(lab: Lab) -> Outcome:
    """A member ``TOP/../../../escaped`` that climbs out of the packages folder."""
    top = top_folder(lab)
    return install(lab, package_with(lab, "slip2.argosmodel", lambda n, d: d,
                                     [(f"{top}/../../../escaped", b"escaped")]))


@case("models", ERROR)
def package_absolute_member(lab: Lab) -> Outcome:
    """A member with an absolute path (inside this lab, so an escape would be seen)."""
    target = lab.path("absolute-escape")
    outcome = install(lab, package_with(lab, "abs.argosmodel", lambda n, d: d, [(str(target), b"escaped")]))
    return outcome.require(not target.exists(), f"{target} was written")


@case("models")
def package_symlink_member(lab: Lab) -> Outcome:
    """A member that is a symlink to /etc/passwd: never installed as a link."""
    link = zipfile.ZipInfo(f"{top_folder(lab)}/README.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    outcome = install(lab, package_with(lab, "link.argosmodel", lambda n, d: None if n.endswith("README.md") else d,
                                        [(link, b"/etc/passwd")]))
    links = [p for p in lab.path("packages").rglob("*") if p.is_symlink()]
    return outcome.require(not links, f"a symlink was installed: {links}")


@case("models")
def package_5000_members(lab: Lab) -> Outcome:
    """5,000 extra members."""
    top = top_folder(lab)
    extra = [(f"{top}/stanza/junk/{i:05d}.txt", b"x") for i in range(5000)]
    return install(lab, package_with(lab, "many.argosmodel", lambda n, d: d, extra))


def _metadata(change: Callable[[dict], dict]) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        return json.dumps(change(json.loads(data))).encode() if name.endswith("metadata.json") else data
    return edit


@case("models", ERROR)
def package_metadata_code_traversal(lab: Lab) -> Outcome:
    """metadata.json with from_code "../x" (codes become folder names)."""
    return install(lab, package_with(lab, "code.argosmodel", _metadata(lambda m: {**m, "from_code": "../x"})))


@case("models", ERROR)
def package_metadata_not_json(lab: Lab) -> Outcome:
    """metadata.json that is not JSON."""
    return install(lab, package_with(lab, "meta.argosmodel",
                                     lambda n, d: b"{not json" if n.endswith("metadata.json") else d))


@case("models", ERROR)
def package_without_metadata(lab: Lab) -> Outcome:
    """No metadata.json at all."""
    return install(lab, package_with(lab, "nometa.argosmodel", lambda n, d: None if n.endswith("metadata.json") else d))


@case("models", ERROR)
def package_sentencepiece_garbage(lab: Lab) -> Outcome:
    """A sentencepiece.model that is not one."""
    return install(lab, package_with(lab, "spm.argosmodel",
                                     lambda n, d: b"garbage" * 100 if n.endswith("sentencepiece.model") else d))


@case("models", ERROR)
def package_not_a_zip(lab: Lab) -> Outcome:
    """A text file named .argosmodel."""
    return install(lab, lab.write("text.argosmodel", "this is not a zip\n" * 100))


@case("models", ERROR)
def package_empty_file(lab: Lab) -> Outcome:
    """An empty .argosmodel."""
    return install(lab, lab.write("empty.argosmodel", b""))


@case("models", ERROR)
def package_directory(lab: Lab) -> Outcome:
    """A directory given as --file."""
    folder = lab.path("folder.argosmodel")
    folder.mkdir()
    return install(lab, folder)


@case("models", ERROR)
def package_fifo(lab: Lab) -> Outcome:
    """A FIFO given as --file."""
    return install(lab, mkfifo(lab, "pipe.argosmodel"))


# --- options ----------------------------------------------------------------------------------

@case("options", ERROR)
def option_unknown_language(lab: Lab) -> Outcome:
    """``run --to xx``: not a language CLDR knows."""
    return lab.run_article(lab.article(), "--to", "xx")


@case("options", ERROR)
def option_language_path(lab: Lab) -> Outcome:
    """``run --to ../ru``: a path, not a language code."""
    return lab.run_article(lab.article(), "--to", "../ru")


@case("options", ERROR)
def option_empty_language_list(lab: Lab) -> Outcome:
    """``run --to ,``: no language at all."""
    return lab.run_article(lab.article(), "--to", ",")


@case("options", ERROR)
def option_tm_export_unknown_language(lab: Lab) -> Outcome:
    """``tm export --to xx`` on a workspace."""
    lab.workspace()
    return lab.run("tm", "export", lab.path("x.tmx"), "--to", "xx", "--out", lab.out, writes=(lab.out,))


@case("options", ERROR)
def option_out_is_a_file(lab: Lab) -> Outcome:
    """``--out`` naming a regular file."""
    lab.write("box/out", "I am a file\n")
    return lab.run_article(lab.article())


@case("options", ERROR)
def option_out_below_a_file(lab: Lab) -> Outcome:
    """``--out FILE/sub``."""
    lab.write("box/file", "I am a file\n")
    return lab.run("run", lab.article(), "--out", lab.path("box/file/sub"), writes=(lab.path("box"),))


@case("options")
def option_tm_db_in_missing_folder(lab: Lab) -> Outcome:
    """``--tm-db`` in a folder that does not exist."""
    memory = lab.path("nowhere/deeper/t.db")
    return lab.run("run", lab.article(), "--out", lab.out, "--tm-db", memory, writes=(lab.out, lab.path("nowhere")))


@case("options", ERROR)
def option_tm_db_is_a_directory(lab: Lab) -> Outcome:
    """``--tm-db`` naming a directory."""
    lab.path("db-folder").mkdir()
    return lab.run("run", lab.article(), "--out", lab.out, "--tm-db", lab.path("db-folder"), writes=(lab.out,))


@case("options", ERROR)
def option_tm_db_not_sqlite(lab: Lab) -> Outcome:
    """``--tm-db`` naming a text file: refused, the file unchanged."""
    memory = lab.write("notes.db", "my notes, not a database\n" * 50)
    return lab.run("run", lab.article(), "--out", lab.out, "--tm-db", memory, writes=(lab.out,))


@case("options", ERROR)
def option_tm_db_truncated(lab: Lab) -> Outcome:
    """A workspace whose tandem.db was cut in half (a disk-full copy)."""
    lab.workspace()
    db = lab.out / "tandem.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    return lab.run_article(lab.article())


@case("options")
def option_max_batch_tokens_zero(lab: Lab) -> Outcome:
    """``--max-batch-tokens 0``."""
    return lab.run_article(lab.article(), "--max-batch-tokens", "0")


@case("options")
def option_max_batch_tokens_negative(lab: Lab) -> Outcome:
    """``--max-batch-tokens -5``."""
    return lab.run_article(lab.article(), "--max-batch-tokens", "-5")


@case("options")
def option_beam_size_zero(lab: Lab) -> Outcome:
    """``--beam-size 0``."""
    return lab.run_article(lab.article(), "--beam-size", "0")


@case("options")
def option_inter_threads_zero(lab: Lab) -> Outcome:
    """``--inter-threads 0``."""
    return lab.run_article(lab.article(), "--inter-threads", "0")


@case("options", ERROR)
def option_models_dir_is_a_file(lab: Lab) -> Outcome:
    """``--models-dir`` naming a file."""
    return lab.run_article(lab.article(), "--models-dir", str(lab.write("models-file", "x")))


@case("options", ERROR)
def option_publish_unknown_article(lab: Lab) -> Outcome:
    """``publish OUT/nothing``: no such article in the memory."""
    lab.workspace()
    return lab.run("publish", lab.out / "nothing", writes=(lab.out,))


@case("options", ERROR)
def option_publish_the_memory(lab: Lab) -> Outcome:
    """``publish OUT/tandem.db``: the memory file as an article folder."""
    lab.workspace()
    return lab.run("publish", lab.out / "tandem.db", writes=(lab.out,))


@case("options", ERROR)
def option_models_remove_missing_pair(lab: Lab) -> Outcome:
    """``models remove en xx``: nothing installed for it."""
    packages = lab.packages()
    return lab.run("models", "remove", "en", "xx", "--models-dir", packages, writes=(packages,))


# --- running cases ------------------------------------------------------------------------------

def run_case(case: Case, fixtures: Fixtures, scratch: Path) -> dict:
    """Run one case in a fresh folder under ``scratch`` and return its record."""
    folder = scratch / case.name
    folder.mkdir(parents=True)
    record = {"case": case.name, "category": case.category, "expect": case.expect, "what": case.doc}
    try:
        outcome = case.func(Lab(folder, fixtures))
        record.update(command=_command(outcome.result.argv, folder, fixtures), exit=outcome.result.returncode,
                      stderr_lines=len(outcome.result.stderr_lines),
                      stderr=outcome.result.stderr.strip()[:600], seconds=round(outcome.result.seconds, 2),
                      verdict=judge(outcome, case.expect))
    except Exception as exc:  # noqa: BLE001 -- a case that cannot even be built is itself a failure
        record.update(verdict=f"FAIL: the case could not be run ({type(exc).__name__}: {exc})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return record


def _command(argv: tuple[str, ...], folder: Path, fixtures: Fixtures) -> str:
    """The command line, with the lab and packages folders shortened for the report."""
    line = shlex.join(["tandem" if a == str(TANDEM) else a for a in argv])
    line = line.replace(str(folder), "$CASE").replace(str(fixtures.packages), "$PACKAGES")
    return line.encode("utf-8", "backslashreplace").decode("utf-8")  # a name may hold surrogate escapes

