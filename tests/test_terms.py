"""Glossary terms found in source segments: boundaries, longest first, case, inflections,
spelling variants, URLs, inline codes, offsets, and the cost of a large glossary."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from tandem.document import CodeKind, CodeRole, GlossaryEntry, InlineCode
from tandem.readers import html, markdown
from tandem.segment import segment_article
from tandem.terms import TermIndex, normalize, term_forms
from tests.bench.bench_terms import RegexTermIndex, article, glossary

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "tandem" / "samples"


def entry(source: str, **fields) -> GlossaryEntry:
    return GlossaryEntry(source, **fields)


def found(terms, text: str, codes=()) -> list[str]:
    """The matched texts, after checking that every offset is exact."""
    index = TermIndex([t if isinstance(t, GlossaryEntry) else entry(t) for t in terms])
    matches = index.find(text, codes)
    for m in matches:
        assert text[m.start:m.end] == m.text
    return [m.text for m in matches]


def spans(terms, text: str, codes=()) -> list[tuple[str, int, int]]:
    index = TermIndex([t if isinstance(t, GlossaryEntry) else entry(t) for t in terms])
    return [(m.entry.source, m.start, m.end) for m in index.find(text, codes)]


def code(id_: str, role: CodeRole, kind: CodeKind, at: int, data: str = "", equiv: str = "") -> InlineCode:
    return InlineCode(id_, role, kind, data or f"<{kind.value}>", at, equiv)


def pair(id_: str, kind: CodeKind, start: int, end: int) -> list[InlineCode]:
    return [code(id_, CodeRole.OPEN, kind, start), code(id_, CodeRole.CLOSE, kind, end)]


def html_segments(source: str):
    return segment_article(html.parse(source, name="t", source_path="t.html")).segments


# -- word boundaries ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Aegisthus sailed.", "the proAegis group", "Aegis2 trials", "Aegis_x"])
def test_never_inside_a_word(text):
    assert found(["Aegis"], text) == []


@pytest.mark.parametrize("term, text", [("don", "I don't know"), ("Brien", "Pat O'Brien"), ("O", "Pat O’Brien"),
                                        ("radar", "the radar'ss")])
def test_an_apostrophe_between_letters_is_inside_a_word(term, text):
    assert found([term], text) == []
    assert found([term], f"{text}, {term} '{term}' and {term}'") == [term, term, term]


@pytest.mark.parametrize("text", ["Aegis ships", "an Aegis-class ship", "(Aegis)", "on Aegis.", "Aegis"])
def test_on_word_boundaries(text):
    assert found(["Aegis"], text) == ["Aegis"]


def test_acronym_not_inside_a_longer_word():
    ice = entry("ICE", case_sensitive=True)
    assert found([ice], "ICEland and ICEd tea") == []
    assert found([ice], "Two ICE agents came.") == ["ICE"]


@pytest.mark.parametrize("term, text, expected", [
    ("SM-3 Block IIA", "a SM-3 Block IIA test", ["SM-3 Block IIA"]),
    ("SM-3 Block IIA", "a SM-3 Block IIAX test", []),
    ("SM-3", "SM-30 and SM-3A", []),
    ("SM-3", "an SM-3.", ["SM-3"]),
    ("RIM-161", "the RIM-161, tested", ["RIM-161"]),
    ("RIM-161", "RIM-1610 and XRIM-161", []),
    ("U.S.", "the U.S. Navy", ["U.S."]),
    ("U.S.", "made in the U.S.", ["U.S."]),
    ("U.S.", "the U.S.A. team", []),
    ("U.S.", "a U.S.-made radar", ["U.S."]),
    ("12 nautical miles", "within 12 nautical miles.", ["12 nautical miles"]),
    ("12 nautical miles", "within 112 nautical miles.", []),
])
def test_boundaries_of_terms_with_punctuation_and_digits(term, text, expected):
    assert found([term], text) == expected


# -- longest first, overlaps, which entry -------------------------------------------------------

def test_longest_match_wins_whatever_the_glossary_order():
    for terms in (["SM-3", "SM-3 Block IIA"], ["SM-3 Block IIA", "SM-3"]):
        assert spans(terms, "the SM-3 Block IIA and an SM-3") == [("SM-3 Block IIA", 4, 18), ("SM-3", 26, 30)]


def test_leftmost_wins_an_overlap_and_the_other_is_dropped():
    terms = ["coastal radar", "radar network"]
    assert found(terms, "the coastal radar network") == ["coastal radar"]
    assert found(terms, "a radar network and a coastal radar") == ["radar network", "coastal radar"]


def test_adjacent_terms_are_both_found():
    assert found(["SM-3", "Block IIA"], "SM-3 Block IIA") == ["SM-3", "Block IIA"]


def test_one_span_one_entry_chosen_by_rank():
    exact, caseless = entry("ICE", case_sensitive=True), entry("ice")
    index = TermIndex([caseless, exact])
    assert [m.entry for m in index.find("ICE and ice")] == [exact, caseless]
    own, inflected = entry("radars", note="own"), entry("radar")
    assert [m.entry for m in TermIndex([inflected, own]).find("radars")] == [own]
    first, second = entry("mine", concept="c1"), entry("mine", concept="c2")
    assert [m.entry for m in TermIndex([first, second]).find("a mine")] == [first]


# -- case ---------------------------------------------------------------------------------------

def test_caseless_by_default():
    assert found(["radar"], "RADAR, Radar and radar") == ["RADAR", "Radar", "radar"]


def test_case_sensitive_entries_match_as_written():
    aegis = entry("Aegis", case_sensitive=True)
    assert found([aegis], "AEGIS, aegis and Aegis") == ["Aegis"]


def test_casefold_matches_sharp_s_both_ways_with_exact_offsets():
    assert found(["Straße"], "Die STRASSE radar") == ["STRASSE"]
    assert spans(["strasse", "radar"], "Die Straße radar") == [("strasse", 4, 10), ("radar", 11, 16)]


def test_casefold_that_lengthens_text_keeps_later_offsets():
    text = "İzmir port and the ﬁre station"  # İ and ﬁ each fold to two characters
    assert spans(["port", "fire station"], text) == [("port", 6, 10), ("fire station", 19, 30)]


def test_half_of_a_folded_character_is_not_a_match():
    assert found(["s"], "ß") == []
    assert found(["ss"], "ß") == ["ß"]  # all of it is


# -- inflections ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["radars", "radar's", "radars'", "radar’s", "RADARS"])
def test_plural_and_possessive_of_a_noun(text):
    assert found(["radar"], f"the {text} mast") == [text]


@pytest.mark.parametrize("text", ["radarx", "radarss", "radares", "radar'sx", "radars'x"])
def test_no_other_endings(text):
    assert found(["radar"], f"the {text} mast") == []


def test_last_word_of_a_name_takes_the_possessive():
    assert found(["Sergei Lavrov"], "Sergei Lavrov's aide") == ["Sergei Lavrov's"]
    assert found(["Sergei Lavrov"], "Sergeis Lavrov") == []  # only the last word is inflected


@pytest.mark.parametrize("term, text", [("agency", "agencies"), ("bus", "buses"), ("box", "boxes"),
                                        ("wolf", "wolves"), ("knife", "knives"), ("hero", "heroes"),
                                        ("bus", "bus'"), ("Kennedy", "Kennedys")])
def test_english_plural_spellings(term, text):
    assert found([term], f"two {text} here") == [text]


def test_all_caps_designations_take_only_s_and_possessives():
    thaad = entry("THAAD", case_sensitive=True)
    assert found([thaad], "THAAD's radar, two THAADs, the THAADs' range") == ["THAAD's", "THAADs", "THAADs'"]
    assert found([thaad], "THAADes THAADies THAADS") == []
    assert found(["SM-3"], "two SM-3s and the SM-3's seeker") == ["SM-3s", "SM-3's"]
    assert term_forms(thaad) == ("THAAD", "THAADs", "THAAD's", "THAADs'")


def test_no_inflection_for_verbs_or_other_languages():
    assert found([entry("track", part_of_speech="verb")], "it tracks") == []
    assert found([entry("radar", source_language="de")], "radars") == []
    assert found([entry("радар")], "радарs") == []  # English endings on Latin letters only


# -- spelling variants ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Sergei\nLavrov", "Sergei  Lavrov", "Sergei\u00a0Lavrov", "Sergei \r\n Lavrov"])
def test_whitespace_inside_a_term_may_vary(text):
    assert found(["Sergei Lavrov"], f"said {text} today") == [text]


def test_words_must_still_be_separated():
    assert found(["Sergei Lavrov"], "SergeiLavrov") == []


def test_curly_and_straight_apostrophes_match_each_other():
    assert found(["pilots’ station"], "the pilots' station") == ["pilots' station"]
    assert found(["pilots' station"], "the pilots’ station") == ["pilots’ station"]
    assert found(["SM-3"], "an SM\u20113 test") == ["SM\u20113"]  # a non-breaking hyphen


def test_normalize():
    assert normalize(" U.S.\u00a0\u00a0Coast\nGuard\u2019s ") == "U.S. Coast Guard's"


# -- URLs, e-mail addresses, handles -----------------------------------------------------------------

@pytest.mark.parametrize("text", ["see https://harbor.example/radar now", "www.radar.example",
                                  "mailto:radar@navy.example", "write to radar@navy.example",
                                  "write to press@radar.example", "follow @radar", "ftp://radar.example/x"])
def test_never_inside_a_url_address_or_handle(text):
    assert found(["radar"], text) == []


def test_terms_beside_a_url_are_found():
    text = "The radar (https://harbor.example/radar). Mail press@navy.example: radar."
    assert spans(["radar"], text) == [("radar", 4, 9), ("radar", 67, 72)]
    assert found(["radar"], "the radar@ sign and radar.") == ["radar", "radar"]  # no address: no domain


# -- inline codes ----------------------------------------------------------------------------------

def test_protected_spans_of_the_sample_article_are_not_searched():
    segments = html_segments((SAMPLES / "harbor-vote.html").read_text(encoding="utf-8"))
    system = next(s for s in segments if s.text.startswith("The system, a"))
    assert {c.kind for c in system.codes} == {CodeKind.PROTECTED}
    index = TermIndex([entry("Kestrel"), entry("Nordhavn Marine"), entry("a built"), entry("built"),
                       entry("harbor mouth")])
    assert [m.text for m in index.find_segment(system)] == ["built", "harbor mouth"]


def test_a_term_cannot_run_into_protected_text():
    (segment,) = html_segments("<p>Press <kbd>Ctrl</kbd>radar, then <kbd>Ctrl</kbd> radar.</p>")
    assert segment.text == "Press radar, then  radar."
    assert [(m.start, m.end) for m in TermIndex([entry("radar")]).find_segment(segment)] == [(19, 24)]


def test_protected_pair_text_is_not_searched():
    text = "run radar now on radar"
    codes = pair("1", CodeKind.PROTECTED, 4, 9)
    assert spans(["radar"], text, codes) == [("radar", 17, 22)]


def test_markdown_code_span_is_not_searched():
    source = (SAMPLES / "harbor-vote.md").read_text(encoding="utf-8")
    segments = segment_article(markdown.parse(source, name="t", source_path="t.md")).segments
    settings_file = next(s for s in segments if "settings file" in s.text)
    index = TermIndex([entry("kestrel.conf"), entry("radar"), entry("office")])
    assert [m.text for m in index.find_segment(settings_file)] == ["radar's", "office"]


def test_a_term_wholly_inside_a_link_or_around_nested_markup_is_found():
    (segment,) = html_segments('<p>Council members read the <a href="/p"><em>Harbor <strong>Safety</strong> '
                               'Plan</em></a> before the vote.</p>')
    index = TermIndex([entry("Harbor Safety Plan"), entry("vote")])
    assert [m.text for m in index.find_segment(segment)] == ["Harbor Safety Plan", "vote"]


def test_a_code_that_splits_a_word_refuses_the_match():
    (segment,) = html_segments("<p>The <b>Aeg</b>is ship and a <b>radar</b>s mast.</p>")
    assert segment.text == "The Aegis ship and a radars mast."
    assert TermIndex([entry("Aegis"), entry("radar")]).find_segment(segment) == ()


def test_a_pair_that_crosses_the_match_edge_refuses_it_a_shorter_match_may_stand():
    (segment,) = html_segments("<p>The <em>Harbor Safety</em> Plan and the <em>Plan</em>'s radar.</p>")
    assert [m.text for m in TermIndex([entry("Harbor Safety Plan")]).find_segment(segment)] == []
    index = TermIndex([entry("Harbor Safety Plan"), entry("Harbor Safety"), entry("plan")])
    assert [m.text for m in index.find_segment(segment)] == ["Harbor Safety", "Plan"]  # not "Plan's"


def test_isolated_codes_and_images_inside_refuse_a_match_breaks_do_not():
    text = "Sergei Lavrov spoke"
    assert found(["Sergei Lavrov"], text, [code("1", CodeRole.START, CodeKind.LINK, 7)]) == []
    assert found(["Sergei Lavrov"], text, [code("1", CodeRole.END, CodeKind.LINK, 7)]) == []
    assert found(["Sergei Lavrov"], text, [code("1", CodeRole.STANDALONE, CodeKind.IMAGE, 7)]) == []
    assert found(["Sergei Lavrov"], text, [code("1", CodeRole.STANDALONE, CodeKind.BREAK, 7)]) == ["Sergei Lavrov"]
    assert found(["Sergei Lavrov"], text, [code("1", CodeRole.START, CodeKind.LINK, 0)]) == ["Sergei Lavrov"]


def test_a_line_break_is_whitespace_inside_a_term():
    (segment,) = html_segments("<p>Sergei<br>Lavrov spoke.</p>")
    assert segment.text == "Sergei Lavrov spoke." and segment.codes[0].offset == 6
    assert [m.text for m in TermIndex([entry("Sergei Lavrov")]).find_segment(segment)] == ["Sergei Lavrov"]


def test_a_line_break_joining_two_words_in_the_plain_text_separates_them():
    text = "SergeiLavrov and oneline"  # as codes from elsewhere may have it: no space for the break
    breaks = [code("1", CodeRole.STANDALONE, CodeKind.BREAK, 6), code("2", CodeRole.STANDALONE, CodeKind.BREAK, 20)]
    assert spans(["Sergei Lavrov", "line"], text, breaks) == [("Sergei Lavrov", 0, 12), ("line", 20, 24)]
    assert found(["Sergei Lavrov", "line"], text) == []  # without the codes, two words


# -- other scripts, degenerate input ---------------------------------------------------------------

def test_cyrillic_and_japanese_text_do_not_break_matching():
    terms = [entry("radar"), entry("Радар", source_language="ru"), entry("東京", source_language="ja")]
    text = "Радар в порту; 東京都のradarと。Радары"
    assert [(m.text, m.start) for m in TermIndex(terms).find(text)] == [("Радар", 0), ("東京", 15), ("radar", 19)]


def test_empty_glossary_empty_text_and_empty_terms():
    assert TermIndex([]).find("radar") == ()
    assert TermIndex([entry("radar")]).find("") == ()
    assert TermIndex([entry("  "), entry("")]).find("a  b") == ()
    assert len(TermIndex([entry("a"), entry("b")])) == 2


def test_codes_out_of_order_or_out_of_range_are_tolerated():
    codes = [code("1", CodeRole.CLOSE, CodeKind.BOLD, 9), code("1", CodeRole.OPEN, CodeKind.BOLD, 4),
             code("2", CodeRole.STANDALONE, CodeKind.PROTECTED, 99, equiv="x")]
    assert found(["radar"], "the radar.", codes) == ["radar"]


# -- properties ---------------------------------------------------------------------------------------

WORDS = ["radar", "Radar", "SM-3", "Block", "IIA", "U.S.", "Straße", "ß", "İ", "ﬁre", "THAAD", "Aegis", "Aegisthus",
         "pilots’", "radar's", "s", "ss", "Лавров", "東京", "a", "12", "@radar", "x@radar.example", "https://r.example"]
SEPARATORS = [" ", "  ", "\n", "\u00a0", ", ", ". ", "-", "'", "’", "(", ")", ""]


def _word_char(char: str) -> bool:
    return (unicodedata.category(char)[0] in "LNM" or char == "_") and not ("\u3040" <= char <= "\u9fff")


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """The spec, written again: no word character just outside, no in-word apostrophe."""
    before, after = text[start - 1:start], text[end:end + 1]
    if before and (_word_char(before) or before in "'’" and _word_char(text[start]) and start >= 2
                   and _word_char(text[start - 2])):
        return False
    return not (after and (_word_char(after) or after in "'’" and _word_char(text[end - 1])
                           and end + 1 < len(text) and _word_char(text[end + 1])))


texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=12).map(
    lambda parts: "".join(w + s for w, s in parts))
glossaries = st.lists(st.builds(GlossaryEntry, st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
                                case_sensitive=st.booleans()), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(text=texts, entries=glossaries)
def test_matches_never_overlap_lie_on_word_boundaries_and_are_forms_of_their_term(text, entries):
    matches = TermIndex(entries).find(text)
    for before, after in zip(matches, matches[1:]):
        assert before.end <= after.start
    for m in matches:
        assert text[m.start:m.end] == m.text and m.start < m.end
        assert _on_boundaries(text, m.start, m.end)
        forms = term_forms(m.entry)
        if m.entry.case_sensitive:
            assert normalize(m.text) in forms
        else:
            assert normalize(m.text).casefold() in {f.casefold() for f in forms}


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(["coastal", "radar", "SM-3", "Block", "IIA", "Lavrov", "U.S."]),
                      min_size=1, max_size=3), left=st.sampled_from(["", "the ", "(", "said: "]),
       right=st.sampled_from(["", " today", ".", "'s view", ")"]))
def test_a_term_standing_alone_is_always_found(words, left, right):
    term = " ".join(words)
    matches = TermIndex([GlossaryEntry(term)]).find(left + term + right)
    assert [m.start for m in matches][:1] == [len(left)]


# -- cost of a large glossary (relative only: never seconds) ----------------------------------------------

class CountingIndex(TermIndex):
    """Counts the hits the automaton hands to the rules: the work find() does per hit."""

    hits = 0

    def _hits(self, finder, text):
        for hit in super()._hits(finder, text):
            self.hits += 1
            yield hit


@pytest.fixture(scope="module")
def large():
    entries = glossary(5000)
    return entries, article(100, entries=entries)


def test_five_thousand_terms_cost_few_checks_per_character(large):
    entries, segments = large
    index = CountingIndex(entries)
    half = sum(len(index.find_segment(s)) for s in segments[:50])
    hits_half = index.hits
    total = half + sum(len(index.find_segment(s)) for s in segments[50:])
    characters = sum(len(s.text) for s in segments)
    assert total > 100  # the article really uses the glossary
    assert index.hits <= characters / 4  # hits are rare: not one per term, nor per character
    assert index.hits <= 2.6 * hits_half  # and grow with the text, no faster


def test_find_time_grows_linearly_with_the_article(large):
    entries, segments = large
    index = TermIndex(entries)

    def best(n: int) -> float:
        runs = []
        for _ in range(7):
            started = time.perf_counter()
            for segment in segments[:n]:
                index.find_segment(segment)
            runs.append(time.perf_counter() - started)
        return min(runs)

    best(100)  # warm up
    assert best(100) <= 4 * best(50)  # 2x the text; a generous margin for a busy machine


def test_the_benchmarks_regex_finder_finds_the_same(large):
    entries, segments = large
    index, other = TermIndex(entries), RegexTermIndex(entries)
    assert [index.find_segment(s) for s in segments[:30]] == [other.find_segment(s) for s in segments[:30]]
