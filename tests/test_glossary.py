"""Glossaries: CSV/TSV term lists and do-not-translate lists, the memory's glossary store, and the
``glossary`` commands and ``run --glossary`` in-process through ``cli.main``."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace

import pytest

from tandem import cli
from tandem.document import GlossaryEntry, TargetTerm, TermStatus
from tandem.errors import InputError
from tandem.formats import GLOSSARY_FORMATS, read_glossary, tbx, termlist
from tandem.memory import GlossaryCounts, db, open_memory
from tests.conftest import ROOT, SAMPLE

SAMPLES = ROOT / "src" / "tandem" / "samples"
SAMPLE_TBX, SAMPLE_DNT = SAMPLES / "harbor-terms.tbx", SAMPLES / "harbor-dnt-terms.txt"
P, A, F = TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.FORBIDDEN

NEWS_CSV = """\ufeffen,ru,ru:forbidden,ja,note,pos,dnt,case,concept
Sergei Lavrov|Lavrov,Сергей Лавров,Сергей Лавроф,セルゲイ・ラブロフ,Russia's foreign minister,properNoun,,,lavrov
Ministry of Foreign Affairs,"Министерство иностранных дел|МИД",,外務省,,noun,,,
THAAD,THAAD,ТХААД,THAAD,,,,,
SM-3 Block IIA,,,,"a designation, kept",,yes,,
Aegis,,,,,,yes,yes,

radar,радар,,レーダー,,noun,no,,
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_error_line(err: str, *fragments: str) -> None:
    assert err.startswith("tandem: error: ") and err.count("\n") == 1, err
    assert all(f in err for f in fragments), err


# -- term lists -------------------------------------------------------------------------------

def test_csv_columns_statuses_synonyms_and_flags(tmp_path):
    entries = {e.source: e for e in termlist.read_csv(_write(tmp_path, "news.csv", NEWS_CSV))}
    assert list(entries) == ["Sergei Lavrov", "Lavrov", "Ministry of Foreign Affairs", "THAAD", "SM-3 Block IIA",
                             "Aegis", "radar"]
    lavrov = entries["Lavrov"]
    assert [(t.language, t.text, t.status) for t in lavrov.translations] == \
        [("ru", "Сергей Лавров", P), ("ru", "Сергей Лавроф", F), ("ja", "セルゲイ・ラブロフ", P)]
    assert (lavrov.note, lavrov.part_of_speech, lavrov.concept, lavrov.origin) == \
        ("Russia's foreign minister", "properNoun", "lavrov", "news.csv")
    ministry = entries["Ministry of Foreign Affairs"]
    assert [t.text for t in ministry.terms("ru")] == ["Министерство иностранных дел", "МИД"]
    thaad = entries["THAAD"]  # only repeats and a forbidden variant: do not translate, keep the variant
    assert thaad.do_not_translate and thaad.avoided("ru")[0].text == "ТХААД" and thaad.case_sensitive
    assert entries["SM-3 Block IIA"].do_not_translate and entries["SM-3 Block IIA"].note == "a designation, kept"
    assert entries["Aegis"].do_not_translate and entries["Aegis"].case_sensitive  # said, against the default
    assert not entries["radar"].do_not_translate and not entries["radar"].case_sensitive


def test_tsv_is_the_same_with_tabs(tmp_path):
    text = ("en\tru\tru:admitted\tja\tdnt\n"
            "Sergei Lavrov\tСергей Лавров\tЛавров\tセルゲイ・ラブロフ\t\n"
            "Aegis, the system\t\t\t\tyes\n")
    entries = termlist.read_tsv(_write(tmp_path, "news.tsv", text))
    assert [(e.source, [(t.text, t.status) for t in e.terms("ru")], e.do_not_translate) for e in entries] == \
        [("Sergei Lavrov", [("Сергей Лавров", P), ("Лавров", A)], False), ("Aegis, the system", [], True)]
    with pytest.raises(InputError, match="neither a language code"):  # tabs are no commas
        termlist.read_csv(_write(tmp_path, "news.csv", text))


def test_do_not_translate_list(tmp_path):
    path = _write(tmp_path, "keep.txt", "# names we keep\n\nAegis\n  SM-3   Block IIA \r\nC# compiler\n#THAAD\n")
    entries = termlist.read_dnt(path)
    assert [(e.source, e.do_not_translate, e.case_sensitive, e.translations) for e in entries] == \
        [("Aegis", True, False, ()), ("SM-3 Block IIA", True, True, ()), ("C# compiler", True, False, ())]


@pytest.mark.parametrize("text, fragment, line", [
    ("Sergei Lavrov,Сергей Лавров\n", "'Sergei Lavrov' is neither a language code nor a column", 1),
    ("en,xx\nTHAAD,THAAD\n", "'xx' is neither a language code", 1),
    ("ru,ja\nСергей Лавров,セルゲイ・ラブロフ\n", "no 'en' column", 1),
    ("en,ru,ru\nA,Б,В\n", "column 'ru' appears twice", 1),
    ("en,ru:best\nA,Б\n", "'ru:best' is neither", 1),
    ("en,ru\nAegis,Эгида\n,Лавров\n", "empty source term", 3),
    ("en,ru\nAegis,Эгида\nLavrov,Лавров,extra\n", "row has 3 cells, the header 2", 3),
    ("en,ru\nAegis\n", "row has 1 cells, the header 2", 2),
    ("en,ru,dnt\nAegis,Эгида,perhaps\n", "expected yes, no or nothing, not 'perhaps'", 2),
    ('en,ru\n"Aegis"x,Эгида\n', "not well-formed CSV", 2),
    ("en,ru\nAe\x01gis,Эгида\n", "character XML cannot hold", 2),
    ("\n\n", "empty term list", None),
    ("en,ru,,\nAegis,Эгида,,\nLavrov,Лавров,,x\n", "a value in column 4, which the header row does not name", 3),
])
def test_bad_csv_is_one_error_with_its_line(tmp_path, text, fragment, line):
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(InputError, match=fragment) as caught:
        termlist.read_csv(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)


def test_empty_trailing_columns_of_a_spreadsheet_are_skipped(tmp_path):
    entries = termlist.read_csv(_write(tmp_path, "sheet.csv", "en,ru,,\nAegis,Эгида,,\n,,,\n"))
    assert [(e.source, e.preferred("ru").text) for e in entries] == [("Aegis", "Эгида")]


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("en,ru\nAegis,ok\nCaf\u00e9,x\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as caught:
        termlist.read_csv(path)
    assert caught.value.line == 3


def test_csv_export_reads_back(tmp_path):
    entries = termlist.read_csv(_write(tmp_path, "news.csv", NEWS_CSV))
    data = termlist.write_csv(entries, "en", ["ru", "ja"])
    assert data.splitlines()[0] == b"en,ru,ru:forbidden,ja,concept,note,pos,dnt,case"
    back = termlist.read_csv(_write(tmp_path, "back.csv", data.decode("utf-8")))
    assert [replace(e, origin="") for e in back] == [replace(e, origin="") for e in entries]


def test_format_by_extension_or_name(tmp_path):
    assert {name: f.suffixes for name, f in GLOSSARY_FORMATS.items()} == \
        {"tbx": (".tbx",), "csv": (".csv",), "tsv": (".tsv", ".tab"), "dnt": (".txt",)}
    assert cli.GLOSSARY_CHOICES == tuple(GLOSSARY_FORMATS)
    path = _write(tmp_path, "names.list", "Aegis\n")
    with pytest.raises(InputError, match="unknown glossary file type"):
        read_glossary(path)
    assert read_glossary(path, "dnt")[0].do_not_translate


# -- the memory -------------------------------------------------------------------------------

def _lavrov(ru: str, **details) -> GlossaryEntry:
    return GlossaryEntry("Sergei Lavrov", (TargetTerm("ru", ru), TargetTerm("ja", "セルゲイ・ラブロフ")), **details)


def test_import_upserts_by_term_and_concept_and_counts(tmp_path):
    with open_memory(tmp_path / "tm.db") as memory:
        first = memory.import_glossary([[_lavrov("Сергей Лавров", origin="a.tbx"),
                                         GlossaryEntry("Aegis", do_not_translate=True)]])
        again = memory.import_glossary([[_lavrov("Сергей Лавров", origin="b.tbx")]])  # another file, same content
        changed = memory.import_glossary([[_lavrov("С. Лавров", concept=""), _lavrov("Лавров", concept="minister")]])
        entries = memory.glossary.entries("en")
    assert first == [GlossaryCounts(added=2)] and again == [GlossaryCounts(unchanged=1)]
    assert changed == [GlossaryCounts(added=1, updated=1)]
    assert [(e.source, e.concept, [t.text for t in e.translations]) for e in entries] == [
        ("Aegis", "", []), ("Sergei Lavrov", "", ["С. Лавров", "セルゲイ・ラブロフ"]),
        ("Sergei Lavrov", "minister", ["Лавров", "セルゲイ・ラブロフ"])]


def test_entries_for_a_language_and_the_query_count(tmp_path):
    entries = read_glossary(SAMPLE_TBX)
    with open_memory(tmp_path / "tm.db") as memory:
        memory.import_glossary([entries])
        queries: list[str] = []
        memory._db.set_trace_callback(queries.append)
        stored = memory.glossary.entries("en")
        memory._db.set_trace_callback(None)
        japanese = memory.glossary.entries("en", "ja")
        assert memory.glossary.entries("ru") == ()
    assert len(queries) == 2 and len(stored) == 17
    assert sorted(stored, key=lambda e: e.source) == sorted(entries, key=lambda e: e.source)
    assert all(t.language == "ja" for e in japanese for t in e.translations)
    assert {e.source for e in stored} - {e.source for e in japanese} == set()  # all say something in ja


def test_a_schema_4_memory_gets_the_glossary_tables(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    for migration in db.MIGRATIONS[:4]:
        for statement in migration:
            connection.execute(statement)
    connection.execute("PRAGMA user_version = 4")
    connection.close()
    with open_memory(path) as memory:
        assert memory.glossary.count() == 0
        memory.import_glossary([[GlossaryEntry("Aegis", do_not_translate=True)]])
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 5


# -- commands ---------------------------------------------------------------------------------

def test_glossary_import_list_export_round_trip(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = _main(capsys, "glossary", "import", SAMPLE_TBX, SAMPLE_DNT, "--out", out)
    assert code == 0, err
    assert stdout.splitlines() == [
        f"{SAMPLE_TBX}: 17 glossary entries read: 17 added, 0 updated, 0 unchanged -> {out / 'tandem.db'}",
        f"{SAMPLE_DNT}: 3 glossary entries read: 3 added, 0 updated, 0 unchanged -> {out / 'tandem.db'}"]
    assert "0 added, 0 updated, 17 unchanged" in _main(capsys, "glossary", "import", SAMPLE_TBX, "--out", out)[1]
    code, stdout, _ = _main(capsys, "glossary", "list", "--lang", "ru", "--out", out)
    assert code == 0 and "Port Alder -> ru: Порт-Олдер, Порт-Алдер (deprecated)" in stdout.splitlines()
    assert "THAAD -> ru: ТХААД (forbidden)  [do not translate, case-sensitive]" in stdout.splitlines()
    assert "Kestrel SR-400  [do not translate, case-sensitive]" in stdout.splitlines() and "ja:" not in stdout
    listed = json.loads(_main(capsys, "glossary", "list", "--format", "json", "--out", out)[1])
    assert len(listed) == 20 and {"source", "translations", "do_not_translate", "case_sensitive"} <= set(listed[0])
    exported = tmp_path / "harbor.en-ru.tbx"
    code, stdout, _ = _main(capsys, "glossary", "export", exported, "--to", "ru", "--out", out)
    assert code == 0 and stdout == f"{out / 'tandem.db'}: 20 glossary entries written to {exported}\n"
    with open_memory(out / "tandem.db") as memory:
        stored = memory.glossary.entries("en", "ru")
    assert [replace(e, origin="") for e in tbx.read(exported)] == [replace(e, origin="") for e in stored]


def test_export_options_are_checked(tmp_path, capsys):
    out = tmp_path / "out"
    assert _main(capsys, "glossary", "import", SAMPLE_DNT, "--out", out)[0] == 0
    code, _, err = _main(capsys, "glossary", "export", tmp_path / "g.tbx", "--to", "ru,ja", "--out", out)
    assert code == 2
    _one_error_line(err, "one language pair")
    code, _, err = _main(capsys, "glossary", "export", tmp_path / "g.txt", "--to", "ru", "--out", out)
    assert code == 2
    _one_error_line(err, "cannot be exported")
    code, _, err = _main(capsys, "glossary", "list", "--out", tmp_path / "nowhere")
    assert code == 2
    _one_error_line(err, "no translation memory")
    assert _main(capsys, "glossary", "export", tmp_path / "g.csv", "--to", "ru,ja", "--out", out)[0] == 0
    assert (tmp_path / "g.csv").read_text(encoding="utf-8").splitlines()[1] == "Kestrel SR-400,,,,,,yes,yes"


HOSTILE = {
    "billion.tbx": '<!DOCTYPE martif [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]><martif>&b;</martif>',
    "external.tbx": '<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]><martif>&x;</martif>',
    "dtd.tbx": '<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd"><martif><text><body/></text></martif>',
    "truncated.tbx": '<martif><text><body><termEntry>\n<langSet xml:lang="en"><tig><term>Aegis',
    "ragged.csv": "en,ru\nAegis,Эгида\nLavrov\n",
    "header.csv": "Sergei Lavrov,Сергей Лавров\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_or_malformed_file_exits_2_with_one_line_and_imports_nothing(tmp_path, capsys, name):
    bad = _write(tmp_path, name, HOSTILE[name])
    out = tmp_path / "out"
    code, stdout, err = _main(capsys, "glossary", "import", SAMPLE_TBX, bad, "--out", out)
    assert code == 2 and stdout == ""
    _one_error_line(err, str(bad))
    assert not out.exists()  # the good file before it is not stored either
    assert _main(capsys, "glossary", "import", SAMPLE_DNT, "--out", out)[0] == 0
    assert _main(capsys, "glossary", "import", SAMPLE_TBX, bad, "--out", out)[0] == 2
    with open_memory(out / "tandem.db") as memory:
        assert memory.glossary.count() == 3


def test_run_imports_glossaries_and_carries_enforce_terms(tmp_path, capsys, monkeypatch):
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    code, _, err = _main(capsys, "run", article, "--tm", SAMPLE.with_suffix(".tmx"), "--no-mt", "--to", "ru",
                         "--glossary", SAMPLE_TBX, "--glossary", SAMPLE_DNT, "--out", out)
    assert code == 0, err
    with open_memory(out / "tandem.db") as memory:
        assert memory.glossary.count() == 20
    from tandem import pipeline

    seen = []
    monkeypatch.setattr(pipeline, "run", lambda paths, workspace, settings, progress, events: seen.append(settings) or [])
    assert _main(capsys, "run", article, "--no-mt", "--glossary", SAMPLE_DNT, "--enforce-terms")[0] == 0
    assert seen[0].glossary_files == (SAMPLE_DNT,) and seen[0].enforce_terms
    assert _main(capsys, "run", article, "--no-mt")[0] == 0
    assert seen[1].glossary_files == () and not seen[1].enforce_terms


def test_run_with_a_bad_glossary_writes_nothing(tmp_path, capsys):
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    bad = _write(tmp_path, "bad.csv", "en,ru\n,Лавров\n")
    out = tmp_path / "out"
    code, _, err = _main(capsys, "run", article, "--no-mt", "--glossary", SAMPLE_TBX, "--glossary", bad, "--out", out)
    assert code == 2
    _one_error_line(err, f"{bad}:2: empty source term")
    assert not out.exists()
