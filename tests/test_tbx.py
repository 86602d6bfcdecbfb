"""TBX: both structures read (TBX 2 / TBX-Basic ``martif``, TBX 3 ``tbx``), TBX-Basic written,
hostile and malformed files refused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from tandem.document import GlossaryEntry, TargetTerm, TermStatus
from tandem.errors import InputError
from tandem.formats import tbx
from tests.conftest import ROOT

SAMPLE_TBX = ROOT / "src" / "tandem" / "samples" / "harbor-terms.tbx"
P, A, D, F = TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.DEPRECATED, TermStatus.FORBIDDEN

# A world desk's names, classic structure: tig and ntig/termGrp, regional language codes, a
# descripGrp, normativeAuthorization, supersededTerm, a concept with no English term.
TBX2 = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>World desk names</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="lavrov">
      <descrip type="definition">Russia's foreign minister since 2004.</descrip>
      <langSet xml:lang="en-US">
        <tig><term>Sergei Lavrov</term><termNote type="partOfSpeech">properNoun</termNote></tig>
        <ntig><termGrp><term>Lavrov</term>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termGrp></ntig>
      </langSet>
      <langSet xml:lang="ru">
        <tig><term>Сергей Лавров</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>Сергей Лавроф</term><termNote type="normativeAuthorization">forbidden</termNote></tig>
      </langSet>
      <langSet xml:lang="ja-JP"><tig><term>セルゲイ・ラブロフ</term></tig></langSet>
    </termEntry>
    <termEntry id="mfa">
      <langSet xml:lang="en">
        <tig><term>Ministry of   Foreign Affairs</term><note>Russia's ministry, in wire copy.</note></tig>
      </langSet>
      <langSet xml:lang="ru">
        <tig><term>Министерство иностранных дел</term></tig>
        <tig><term>МИД</term><termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig>
        <tig><term>Министерство зарубежных дел</term>
          <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="ja"><tig><term>外務省</term></tig></langSet>
    </termEntry>
    <termEntry id="thaad">
      <langSet xml:lang="en"><tig><term>THAAD</term></tig></langSet>
      <langSet xml:lang="ru"><tig><term>THAAD</term></tig></langSet>
      <langSet xml:lang="ja"><tig><term>THAAD</term></tig></langSet>
    </termEntry>
    <termEntry id="aegis">
      <descripGrp><descrip type="x-doNotTranslate">yes</descrip></descripGrp>
      <langSet xml:lang="en"><tig><term>Aegis</term><termNote type="x-caseSensitive">yes</termNote></tig></langSet>
    </termEntry>
    <termEntry id="sm-3">
      <langSet xml:lang="en"><tig><term>SM-3 Block IIA</term></tig></langSet>
    </termEntry>
    <termEntry id="kremlin">
      <langSet xml:lang="ru"><tig><term>Кремль</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

# TBX 3, namespaced, DCA style plus one DCT element; a processing instruction; termType notes.
TBX3 = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="https://example.org/TBX-Basic.rng" type="application/xml"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" xmlns:basic="http://www.tbxinfo.net/ns/basic"
     type="TBX-Basic" style="dca" xml:lang="en">
  <tbxHeader><fileDesc><sourceDesc><p>Defence desk</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c-lavrov">
      <langSec xml:lang="en">
        <termSec><term>Sergei Lavrov</term><basic:partOfSpeech>properNoun</basic:partOfSpeech></termSec>
      </langSec>
      <langSec xml:lang="ru">
        <termSec><term>Сергей Лавров</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>Сергей Лавроф</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
      </langSec>
      <langSec xml:lang="ja"><termSec><term>セルゲイ・ラブロフ</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c-aegis">
      <langSec xml:lang="en">
        <termSec><term>Aegis</term><termNote type="termType">fullForm</termNote>
          <descrip type="Translation needed">No</descrip></termSec>
      </langSec>
      <langSec xml:lang="ja"><termSec><term>イージス</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c-thaad">
      <langSec xml:lang="en">
        <termSec><term>THAAD</term><termNote type="termType">acronym</termNote></termSec>
        <termSec><term>Terminal High Altitude Area Defense</term><termNote type="termType">fullForm</termNote></termSec>
      </langSec>
      <langSec xml:lang="ru">
        <termSec><term>THAAD</term></termSec>
        <termSec><term>ТХААД</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def _read(tmp_path, text: str, name: str = "g.tbx") -> dict[str, GlossaryEntry]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {e.source: e for e in tbx.read(path)}


def _terms(entry: GlossaryEntry) -> list[tuple[str, str, TermStatus]]:
    return [(t.language, t.text, t.status) for t in entry.translations]


def test_classic_tbx_gives_one_entry_per_source_term_with_every_translation(tmp_path):
    entries = _read(tmp_path, TBX2)
    assert list(entries) == ["Sergei Lavrov", "Lavrov", "Ministry of Foreign Affairs", "THAAD", "Aegis",
                             "SM-3 Block IIA"]  # no English term for the Kremlin: no entry
    lavrov = entries["Sergei Lavrov"]
    assert _terms(lavrov) == [("ru", "Сергей Лавров", P), ("ru", "Сергей Лавроф", F), ("ja", "セルゲイ・ラブロフ", P)]
    assert _terms(entries["Lavrov"]) == _terms(lavrov) and entries["Lavrov"].concept == "lavrov"
    assert (lavrov.part_of_speech, lavrov.note, lavrov.origin, lavrov.source_language) == \
        ("properNoun", "Russia's foreign minister since 2004.", "g.tbx", "en")
    assert lavrov.preferred("ru").text == "Сергей Лавров" and lavrov.avoided("ru")[0].text == "Сергей Лавроф"
    assert not lavrov.do_not_translate and not lavrov.case_sensitive


def test_statuses_notes_and_whitespace(tmp_path):
    mfa = _read(tmp_path, TBX2)["Ministry of Foreign Affairs"]
    assert _terms(mfa) == [("ru", "Министерство иностранных дел", P), ("ru", "МИД", A),
                           ("ru", "Министерство зарубежных дел", D), ("ja", "外務省", P)]
    assert mfa.note == "Russia's ministry, in wire copy." and not mfa.do_not_translate


def test_do_not_translate_is_said_or_inferred_and_case_follows_the_rule(tmp_path):
    entries = _read(tmp_path, TBX2)
    aegis, thaad, sm3 = entries["Aegis"], entries["THAAD"], entries["SM-3 Block IIA"]
    assert aegis.do_not_translate and aegis.case_sensitive  # x-doNotTranslate in a descripGrp; x-caseSensitive
    assert thaad.do_not_translate and thaad.translations == ()  # translations only repeat the term
    assert sm3.do_not_translate and sm3.case_sensitive  # English only; internal capitals


def test_tbx3_reads_like_tbx2(tmp_path):
    entries = _read(tmp_path, TBX3)
    lavrov = entries["Sergei Lavrov"]
    assert _terms(lavrov) == [("ru", "Сергей Лавров", P), ("ru", "Сергей Лавроф", D), ("ja", "セルゲイ・ラブロフ", P)]
    assert (lavrov.part_of_speech, lavrov.concept) == ("properNoun", "c-lavrov")
    aegis = entries["Aegis"]  # "Translation needed: No" wins over the Japanese rendering
    assert aegis.do_not_translate and _terms(aegis) == [("ja", "イージス", P)] and not aegis.case_sensitive
    thaad, full = entries["THAAD"], entries["Terminal High Altitude Area Defense"]
    assert thaad.do_not_translate and _terms(thaad) == [("ru", "ТХААД", D)] and thaad.case_sensitive
    assert not full.do_not_translate and full.preferred("ru").text == "THAAD"


@pytest.mark.parametrize("note, expected", [
    ('<descrip type="Translation needed">no</descrip>', True),
    ('<termNote type="doNotTranslate">true</termNote>', True),
    ('<admin type="DNT">1</admin>', True),
    ('<termNote type="translationNeeded">yes</termNote>', False),
    ('<descrip type="x-do-not-translate">no</descrip>', False),
])
def test_the_common_spellings_of_do_not_translate(tmp_path, note, expected):
    # Without the flag the opposite would be inferred: a real translation, or a repeat of the term.
    ru = "Кестрел" if expected else "Kestrel"
    text = (f'<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>Kestrel</term>{note}</tig>'
            f'</langSet><langSet xml:lang="ru"><tig><term>{ru}</term></tig></langSet></termEntry>'
            '</body></text></martif>')
    assert _read(tmp_path, text)["Kestrel"].do_not_translate is expected


@pytest.mark.parametrize("body, fragment, line", [
    ('<termEntry>\n<langSet xml:lang="en"><tig><term>A</term></tig></langSet>\n<langSet xml:lang="ru">\n<tig>'
     '<term>Б</term><termNote type="administrativeStatus">recommended</termNote></tig></langSet></termEntry>',
     "unknown term status 'recommended'", 4),
    ('<termEntry>\n<langSet><tig><term>A</term></tig></langSet></termEntry>', "without a language code", 2),
    ('<termEntry>\n<langSet xml:lang="en">\n<tig><term> </term></tig></langSet></termEntry>', "empty term", 3),
    ('<termEntry>\n<langSet xml:lang="en"><tig><term>A</term>\n<termNote type="x-caseSensitive">maybe</termNote>'
     '</tig></langSet></termEntry>', "expected yes or no, not 'maybe'", 3),
])
def test_bad_content_is_one_error_with_its_line(tmp_path, body, fragment, line):
    path = tmp_path / "bad.tbx"
    path.write_text(f"<martif><text><body>{body}</body></text></martif>", encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as caught:
        tbx.read(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                  '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<martif><text><body><termEntry><langSet xml:lang="en">'
                  '<tig><term>&c;</term></tig></langSet></termEntry></body></text></martif>')
EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>&x;</term></tig></langSet>'
            '</termEntry></body></text></martif>')
DTD = ('<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "http://127.0.0.1:9/TBXBasiccoreStructV02.dtd">\n'
       '<martif><text><body/></text></martif>')


@pytest.mark.parametrize("text, fragment", [
    (BILLION_LAUGHS, "refusing XML with a DOCTYPE"),
    (EXTERNAL, "refusing XML with a DOCTYPE"),
    (DTD, "refusing XML with a DOCTYPE"),
    ('<martif><text><body><termEntry><langSet xml:lang="en"><tig><term>Lav', "not well-formed XML"),
    ("<xliff><file/></xliff>", "not a TBX file"),
    ('<martif xmlns="urn:example:other"><text><body/></text></martif>', "not a TBX file"),
])
def test_hostile_and_malformed_files_are_refused(tmp_path, text, fragment):
    path = tmp_path / "hostile.tbx"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as caught:
        tbx.read(path)
    assert caught.value.path == str(path) and "\n" not in str(caught.value)


def test_written_tbx_basic_reads_back_as_the_same_entries(tmp_path):
    entries = [*_read(tmp_path, TBX2).values(), *_read(tmp_path, TBX3, "three.tbx").values()]
    data = tbx.write(entries, "en", "ru")
    assert data == tbx.write(entries, "en", "ru")  # deterministic
    (tmp_path / "back.tbx").write_bytes(data)
    back = tbx.read(tmp_path / "back.tbx")
    expected = [replace(e, translations=e.terms("ru"), origin="back.tbx") for e in entries if e.covers("ru")]
    assert list(back) == expected and len(back) == 10  # "Sergei Lavrov" twice: two concepts
    root = etree.fromstring(data)
    assert root.tag == "martif" and root.get("type") == "TBX-Basic" and data.startswith(b"<?xml")
    assert b"<!DOCTYPE" not in data and "ja" not in {ls.get(tbx.xml.XML_LANG) for ls in root.iter("langSet")}


def test_entries_with_nothing_for_the_pair_are_left_out(tmp_path):
    entries = [GlossaryEntry("Kremlin", (TargetTerm("ja", "クレムリン"),)),
               GlossaryEntry("Aegis", do_not_translate=True)]
    root = etree.fromstring(tbx.write(entries, "en", "ru"))
    assert [t.text for t in root.iter("term")] == ["Aegis", "Aegis"]  # the term itself as the ru term


def test_translate_toolkit_reads_the_exported_terms_statuses_and_dnt(tmp_path):
    from translate.storage.tbx import tbxfile

    store = tbxfile.parsestring(tbx.write(tbx.read(SAMPLE_TBX), "en", "ru"))
    units = {u.source: u for u in store.units}
    assert units["Port Alder"].target == "Порт-Олдер"
    assert units["U.S. Coast Guard"].target == "Береговая охрана США"
    assert [t.text for t in units["Port Alder"].get_target_terms()] == ["Порт-Олдер", "Порт-Алдер"]
    assert [t.deprecated for t in units["Port Alder"].get_target_terms()] == [False, True]
    assert units["THAAD"].target == "THAAD" and not units["THAAD"].istranslatable()
    assert units["Paul Reyes"].istranslatable() and len(units) == 17


def test_sample_glossary_covers_the_sample_articles():
    entries = {e.source: e for e in tbx.read(SAMPLE_TBX)}
    radar = (ROOT / "src" / "tandem" / "samples" / "harbor-radar.txt").read_text(encoding="utf-8")
    vote = (ROOT / "src" / "tandem" / "samples" / "harbor-vote.html").read_text(encoding="utf-8")
    assert all(term in radar or term in vote for term in entries)
    assert entries["SM-3 Block IIA"].do_not_translate and entries["THAAD"].avoided("ru")[0].text == "ТХААД"
    assert entries["Elena Brandt"].preferred("ja").text == "エレナ・ブラント"
