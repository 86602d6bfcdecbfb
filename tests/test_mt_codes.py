"""Inline codes through machine translation (issue 11): the model translates the plain text, the
codes go back by its attention.  The COPYING model (output = input, diagonal attention) makes
every placement exact; the random tiny model shows that every code still comes back, well
formed, with notes and QA findings where the placement was not confident."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tandem import qa
from tandem.document import CodeKind, CodeRole, InlineCode, Origin, Segment
from tandem.mt import batch, codes
from tandem.mt.engine import Engine, MTResult
from tandem.mt.models import find_package, install_from_file
from tandem.mt.routes import Route
from tandem.report import Timer
from tandem.segment.codes import distribute, join, well_formed
from tandem.settings import EngineSettings
from tests.fixtures.copy_model import build_copy_model

KINDS = {"a": CodeKind.LINK, "b": CodeKind.BOLD, "strong": CodeKind.BOLD, "em": CodeKind.ITALIC,
         "i": CodeKind.ITALIC, "u": CodeKind.UNDERLINE, "span": CodeKind.SPAN, "q": CodeKind.QUOTE,
         "sup": CodeKind.SUP, "mark": CodeKind.MARK}
STANDALONE = {"br": CodeKind.BREAK, "img": CodeKind.IMAGE}
MARKUP = re.compile(r"<(kbd|code)>(.*?)</\1>|<span translate=\"no\">(.*?)</span>|<(/?)([a-z]+)[^>]*>")


def coded(markup: str, number: int = 1) -> Segment:
    """A segment from test markup, as a reader makes it: pairs (an unclosed open is an isolated
    start, a close without open an isolated end), ``<br>``/``<img>`` standalone, ``<kbd>``,
    ``<code>`` and ``translate="no"`` one PROTECTED code each (its text leaves the plain text)."""
    text, found, stack, cursor, ids = "", [], [], 0, iter(range(1, 100))
    for m in MARKUP.finditer(markup):
        text += markup[cursor:m.start()]
        cursor = m.end()
        if m.group(1) or m.group(3) is not None:  # protected: the whole element, its text as equiv
            equiv = m.group(2) if m.group(1) == "kbd" else (m.group(3) or "")
            found.append(InlineCode(str(next(ids)), CodeRole.STANDALONE, CodeKind.PROTECTED, m.group(0), len(text),
                                    equiv))
        elif m.group(5) in STANDALONE:
            found.append(InlineCode(str(next(ids)), CodeRole.STANDALONE, STANDALONE[m.group(5)], m.group(0), len(text)))
        elif not m.group(4):
            code = InlineCode(str(next(ids)), CodeRole.START, KINDS[m.group(5)], m.group(0), len(text))
            stack.append(len(found))
            found.append(code)
        else:
            opened = next((i for i in reversed(stack) if found[i].data.startswith("<" + m.group(5))), None)
            if opened is None:
                found.append(InlineCode(str(next(ids)), CodeRole.END, KINDS[m.group(5)], m.group(0), len(text)))
                continue
            stack.remove(opened)
            found[opened] = InlineCode(found[opened].id, CodeRole.OPEN, found[opened].kind, found[opened].data,
                                       found[opened].offset)
            found.append(InlineCode(found[opened].id, CodeRole.CLOSE, found[opened].kind, m.group(0), len(text)))
    text += markup[cursor:]
    return Segment(1, number, text, 0, len(text), tuple(found))


def render(text: str, placed: tuple[InlineCode, ...]) -> str:
    """The markup back (each code's data at its offset, in list order, as the publisher renders)."""
    out, cursor = [], 0
    for code in sorted(placed, key=lambda c: c.offset):  # stable: list order at one offset
        out += [text[cursor:code.offset], code.data]
        cursor = code.offset
    return "".join(out + [text[cursor:]])


def assert_valid(segment: Segment, placement: codes.Placement) -> None:
    """What every placed translation must satisfy."""
    placed = placement.codes
    assert Counter((c.id, c.role) for c in placed) == Counter((c.id, c.role) for c in segment.codes)
    assert well_formed(placed) is None, render(placement.text, placed)
    assert all(0 <= c.offset <= len(placement.text) for c in placed)
    joined = {c.id for c in segment.codes if codes.inside_word(segment.text, c.offset)}  # e.g. one<br>line
    inside = [c for c in placed if c.kind is not CodeKind.PROTECTED and c.id not in joined
              and codes.inside_word(placement.text, c.offset)]
    assert not inside, (render(placement.text, placed), inside)
    assert {c.id for c in segment.codes} >= set(placement.unsure)
    assert qa.codes(segment.codes, placed, len(segment.text), len(placement.text)) == [] or all(
        f.code == "code-placement" for f in qa.codes(segment.codes, placed, len(segment.text), len(placement.text)))


@pytest.fixture(scope="module")
def copying(tmp_path_factory) -> dict[str, object]:
    """Copying packages en->ru, en->ja, and en->de + de->ru for a pivot."""
    root = tmp_path_factory.mktemp("copy-codes")
    for pair in ("en_ru", "en_ja", "en_de", "de_ru"):
        install_from_file(build_copy_model(*pair.split("_"), root / f"{pair}.argosmodel"), root / "packages")
    return {pair: find_package(root / "packages", *pair.split("_")) for pair in ("en_ru", "en_ja", "en_de", "de_ru")}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(EngineSettings())


def translated(engine: Engine, steps, segment: Segment) -> codes.Placement:
    [result] = engine.translate_route(tuple(steps), [codes.model_text(segment)], [True])
    return codes.place(segment, result)


def round_trip(engine: Engine, package, markup: str) -> codes.Placement:
    segment = coded(markup)
    placement = translated(engine, [package], segment)
    assert_valid(segment, placement)
    assert render(placement.text, placement.codes) == markup
    assert placement.notes == () and placement.unsure == ()
    return placement


# -- exact placement with the copying model -----------------------------------------------------------

COPIED = [
    'I use <a href="https://www.google.com">Google</a> every day.',
    'Read <a href="/r">the <em>full</em> report</a> today.',  # emphasis nested in a link
    '<b>Warning:</b> <a href="/x"><i>do not</i> touch</a> the <u>red</u> button.',
    'Line one<br>line two.',
    'The radar <img src="r.png" alt=""> was installed, <b>they</b> said.',
    "He said <q>yes</q>, then <strong>left</strong>.",
    '<a href="/all">The whole sentence is a link.</a>',
    "Water, <mark>not</mark> ice.",
]


@pytest.mark.parametrize("markup", COPIED)
def test_copying_model_puts_every_code_back_exactly(copying, engine, markup):
    round_trip(engine, copying["en_ru"], markup)


def test_a_link_around_google(copying, engine):
    placement = round_trip(engine, copying["en_ru"], 'I use <a href="https://www.google.com">Google</a> every day.')
    assert placement.text == "I use Google every day."
    link = [(c.role, c.offset) for c in placement.codes]
    assert link == [(CodeRole.OPEN, 6), (CodeRole.CLOSE, 12)]  # exactly around "Google"


def test_a_code_inside_a_word_snaps_to_the_words_edges(copying, engine):
    segment = coded("I use <b>Goo</b>gle every day.")
    placement = translated(engine, [copying["en_ru"]], segment)
    assert render(placement.text, placement.codes) == "I use <b>Google</b> every day."
    segment = coded("Water is H<sup>2</sup>O.")  # never inside a word: the pair grows to the whole word
    placement = translated(engine, [copying["en_ru"]], segment)
    assert render(placement.text, placement.codes) == "Water is <sup>H2O</sup>."
    segment = coded('An <img src="i.png">icon.')  # a standalone code: the nearer edge (ties: the end)
    placement = translated(engine, [copying["en_ru"]], segment)
    assert render(placement.text, placement.codes) == 'An <img src="i.png">icon.'
    segment = coded('An ic<img src="i.png">on.')
    placement = translated(engine, [copying["en_ru"]], segment)
    assert render(placement.text, placement.codes) == 'An icon<img src="i.png">.'
    assert placement.notes == ()


def test_a_link_across_two_sentences_is_a_start_and_an_end(copying, engine):
    paragraph = coded('Read <a href="/r">the report. It is long</a> now.')
    spans = [(0, 16), (17, len(paragraph.text))]
    parts = distribute(paragraph.codes, spans)
    assert [[c.role for c in part] for part in parts] == [[CodeRole.START], [CodeRole.END]]
    segments = [Segment(1, n + 1, paragraph.text[a:b], a, b, part)
                for n, ((a, b), part) in enumerate(zip(spans, parts))]
    placements = [translated(engine, [copying["en_ru"]], s) for s in segments]
    for segment, placement in zip(segments, placements):
        assert_valid(segment, placement)
        assert placement.notes == ()
    assert render(placements[0].text, placements[0].codes) == 'Read <a href="/r">the report.'
    assert render(placements[1].text, placements[1].codes) == "It is long</a> now."
    text, joined = join([(p.text, p.codes) for p in placements], [" "])
    assert render(text, joined) == 'Read <a href="/r">the report. It is long</a> now.'


def test_protected_spans_come_back_verbatim(copying, engine):
    markup = 'Press <kbd>Ctrl+C</kbd> to copy <span translate="no">Tandem</span> files.'
    segment = coded(markup)
    assert segment.text == "Press  to copy  files."  # the protected text is not in the plain text...
    assert codes.model_text(segment) == "Press Ctrl+C to copy Tandem files."  # ...the model sees it
    placement = round_trip(engine, copying["en_ru"], markup)
    assert placement.text == "Press  to copy  files."  # the translation holds it as Segment.text does: in the code
    assert [c.offset for c in placement.codes] == [6, 15]
    round_trip(engine, copying["en_ru"], "Hit <b><kbd>Enter</kbd></b> twice.")  # inside a pair, kept inside


def test_protected_text_the_model_changed_is_replaced_and_noted(copying, engine):
    # argostranslate's decoding turns "_" into a space: the model "changed" the protected text.
    segment = coded("Run <code>npm_install</code> now.")
    placement = translated(engine, [copying["en_ru"]], segment)
    assert_valid(segment, placement)
    assert render(placement.text, placement.codes) == "Run <code>npm_install</code> now."
    assert placement.unsure == ("1",) and "'npm install'" in placement.notes[0]


def test_japanese_gets_no_spaces_added(copying, engine):
    for markup in ["東京で<b>会議</b>を<a href=\"/k\">開いた</a>。",
                   "<b>Google</b>を毎日<br>使う。",
                   "「<kbd>Ctrl+C</kbd>」を押して<em>コピー</em>する。",
                   "会<b>議</b>室。"]:  # no word edges in Japanese: piece boundaries
        placement = round_trip(engine, copying["en_ja"], markup)
        assert " " not in placement.text


def test_a_long_segment_split_into_chunks_keeps_exact_placement(copying):
    engine = Engine(EngineSettings(max_input_tokens=24))
    markup = ", ".join(f"item <b>{n}</b> of the <a href=\"/{n}\">list</a>" for n in range(6)) + "."
    segment = coded(markup)
    tokenizer = engine.load(copying["en_ru"]).tokenizer
    assert len(tokenizer.encode(codes.model_text(segment))) > 24 * 3  # several chunks
    placement = translated(engine, [copying["en_ru"]], segment)
    assert_valid(segment, placement)
    assert render(placement.text, placement.codes) == markup and placement.notes == ()


def test_a_pivot_route_composes_the_alignments(copying, engine):
    markup = 'I use <a href="/g">Google</a> <b>every</b> day<br>.'
    segment = coded(markup)
    placement = translated(engine, [copying["en_de"], copying["de_ru"]], segment)
    assert_valid(segment, placement)
    assert render(placement.text, placement.codes) == markup and placement.notes == ()


def test_without_an_alignment_codes_go_to_the_safe_place_with_notes(copying):
    segment = coded('Press <kbd>Ctrl+C</kbd> to copy<br> <a href="/x">the text</a>.')
    placement = codes.place(segment, MTResult("Нажмите Ctrl+C, чтобы скопировать текст.", -0.1))
    assert_valid(segment, placement)
    # the protected text is found verbatim all the same; the link and the break are at the safe place
    assert render(placement.text, placement.codes) == \
        '<a href="/x">Нажмите <kbd>Ctrl+C</kbd>, чтобы скопировать текст.</a><br>'
    assert placement.unsure == ("2", "3") and len(placement.notes) == 3  # one says: no alignment
    findings = qa.codes(segment.codes, placement.codes, len(segment.text), len(placement.text))
    assert {f.code for f in findings} == {"code-placement"}
    assert sorted(f.message.split()[1] for f in findings) == ["2", "3"]


# -- the engine ---------------------------------------------------------------------------------------

def test_engine_returns_alignment_only_when_asked(copying):
    engine = Engine(EngineSettings())
    package = copying["en_ru"]
    calls = []
    model = engine.load(package)
    real = model.translator

    class Spy:
        def translate_batch(self, chunks, **options):
            calls.append(options)
            return real.translate_batch(chunks, **options)

    model.translator = Spy()
    texts = ["I use Google every day.", "Yes."]
    plain = engine.translate(package, texts)
    none_asked = engine.translate(package, texts, [False, False])
    asked = engine.translate(package, texts, [True, False])
    assert [("return_attention" in o) for o in calls] == [False, False, True]
    assert plain == none_asked and all(r.alignment == () for r in plain)
    assert [r.text for r in asked] == [r.text for r in plain] and asked[1].alignment == ()
    (alignment,) = asked[0].alignment
    assert alignment.source_text == texts[0] and alignment.target_text == asked[0].text
    assert len(alignment.attention) == len(alignment.target) and alignment.source == alignment.target
    assert all(len(row) == len(alignment.source) and abs(sum(row) - 1) < 1e-3 for row in alignment.attention)
    assert MTResult("x", 0.0) == MTResult("x", 0.0, None, None)  # the old API still works


# -- the translate phase --------------------------------------------------------------------------------

def test_batch_places_codes_and_keeps_notes(copying):
    route = Route((copying["en_ru"],))
    linked = coded('I use <a href="/g">Google</a> every day.')
    plain = Segment(1, 2, "I use Google every day.", 24, 47)  # same text without codes: translated once
    protected = coded("Press <kbd>Ctrl+C</kbd> now.", number=3)
    changed = coded("Run <code>npm_install</code> now.", number=4)
    engine = Engine(EngineSettings())
    notes: dict = {}
    out = batch.translate([batch.Job("art", "ru", (linked, plain, protected, changed))], {"ru": route}, engine,
                          Timer(), notes)
    done = out[("art", "ru")]
    assert done[plain.id].text == "I use Google every day." and done[plain.id].codes == ()
    assert render(done[linked.id].text, done[linked.id].codes) == 'I use <a href="/g">Google</a> every day.'
    assert done[protected.id].text == "Press  now." and done[protected.id].origin is Origin.MT
    assert list(notes) == [("art", "ru", changed.id)]
    for candidate in (c for t in done.values() for c in t.candidates):  # runner-ups: codes at the safe place
        assert Counter(c.id for c in candidate.codes) <= Counter(c.id for s in (linked, protected, changed)
                                                                 for c in s.codes)


# -- QA ------------------------------------------------------------------------------------------------

def test_qa_names_codes_that_differ_from_the_source():
    segment = coded('I use <a href="/g">Google</a> every <b>day</b>.<br>')
    link_open, link_close, bold_open, bold_close, br = segment.codes
    assert [c.id for c in segment.codes] == ["1", "1", "2", "2", "3"]
    moved = lambda code, offset, role=None: InlineCode(code.id, role or code.role, code.kind, code.data, offset)
    cases = [
        ((link_open, link_close, bold_open, bold_close), "missing in the target: 3 (lb, standalone)"),
        ((link_open, link_close, bold_open, bold_close, br, br), "duplicated in the target: 3 (lb, standalone)"),
        ((*segment.codes, InlineCode("9", CodeRole.STANDALONE, CodeKind.BREAK, "<br>", 0)), "not in the source: 9"),
        ((moved(link_open, 6), moved(bold_open, 8), moved(link_close, 12), moved(bold_close, 20), br),
         "do not nest in the target: codes 2 and 1 overlap"),
        ((moved(link_close, 2), moved(link_open, 8), bold_open, bold_close, br),
         "do not nest in the target: code 1 closes before it opens"),
        ((moved(link_open, 6, CodeRole.START), link_close, bold_open, bold_close, br),
         "another role than in the source: 1 (link, start)"),
        ((link_open, link_close, bold_open, bold_close, moved(br, 99)), "outside the target text: 3 (lb, standalone)"),
    ]
    for target_codes, expected in cases:
        findings = qa.codes(segment.codes, target_codes, len(segment.text), len(segment.text))
        assert [f.code for f in findings] == ["codes"], (expected, findings)
        assert expected in findings[0].message, (expected, findings)
    assert qa.codes(segment.codes, segment.codes, len(segment.text), len(segment.text)) == []
    assert qa.codes((), (), len(segment.text), len(segment.text)) == []  # no codes: no code findings


def test_qa_points_at_codes_at_the_safe_place():
    segment = coded('Read <a href="/r">the <em>full</em> report</a> today.<br> Thanks.')
    text = "Прочтите полный доклад сегодня. Спасибо."
    at_safe_place = codes.safe_place(segment.codes, len(text))
    messages = [f.message for f in qa.codes(segment.codes, at_safe_place, len(segment.text), len(text))]
    assert len(messages) == 3 and all("safe place" in m for m in messages)
    assert [m.split()[1] for m in messages] == ["1", "2", "3"]
    # emphasis around exactly the link's content, where the source has it around one word of it
    link = (segment.codes[0].offset, segment.codes[3].offset)
    inner = tuple(c if c.id != "2" else InlineCode(c.id, c.role, c.kind, c.data, link[c.role is CodeRole.CLOSE])
                  for c in segment.codes)
    [finding] = qa.codes(segment.codes, inner, len(segment.text), len(segment.text))
    assert finding.code == "code-placement" and "exactly what code 1 covers" in finding.message
    assert qa.codes(segment.codes, segment.codes, len(segment.text), len(segment.text)) == []


# -- the random tiny model: every code comes back -------------------------------------------------------

VARIED = [
    'I use <a href="https://www.google.com">Google</a> every day.',
    'Read <a href="/r">the <em>full</em> report</a> today.',
    "The council approved the <b>budget</b> on Tuesday.",
    "<b>Breaking:</b> the harbor radar was <i>switched off</i> at noon.",
    "Line one<br>line two<br>line three.",
    'The radar <img src="r.png"> was installed on the <u>north</u> pier.',
    "Press <kbd>Ctrl+C</kbd> to copy the <b>text</b>.",
    'Ask <span translate="no">Tandem</span> about <a href="/m">the models</a>.',
    'Run <code>npm install</code> and then <code>npm test</code>.',
    "Prices rose <b>4.2%</b> in <i>November</i>; the index closed at <mark>1,204.56</mark>.",
    '<a href="/all">The whole sentence is a link.</a>',
    "He said <q>yes</q>, then <strong>left</strong> <em>quickly</em>.",
    "Water is H<sup>2</sup>O, not <b>ice</b>.",
    'See <a href="/a"><b><i>three</i> nested</b> codes</a> here.',
    'The <a name="x"></a>anchor is empty.',
    "Mayor Elena Brandt <em>said</em> the vote was <b>7-2</b><br>.",
    'The navy asked for <a href="/sm3">SM-3 Block IIA</a> and <a href="/rim">RIM-161</a> compatibility.',
    "“We have <em>waited</em> long enough,” said <b>Mayor Elena Brandt</b>.",
    "Hit <b><kbd>Enter</kbd></b> twice and <i>wait</i>.",
    'Read <a href="/r">the report.',  # an isolated start (the link goes on in the next sentence)
    "It is long</a> and <b>detailed</b>.",  # an isolated end
    '<b>Officials <a href="/o">said</a></b> on <i>Tuesday</i> that <u>repairs</u> would begin.',
    'Visit <a href="https://example.com/docs">https://example.com/docs</a> or write to <code>press@example.org</code>.',
    "The <b>council</b>, the <b>mayor</b> and the <b>navy</b> all <i>agreed</i>.",
    "A <img src=a.png> B <img src=b.png> C <br> D.",
    'The report (<a href="/p">PDF</a>) is <em>long</em>.',
    "<i>Shares</i> rose after [the] <b>report</b>.",
    "Dr. Okafor asked: “Who will <em>pay</em> when the <b>budget</b> runs over?”",
    ", ".join(f"item <b>{n}</b> of the <a href=\"/{n}\">list</a>" for n in range(12)) + ".",  # split in chunks
    "Nothing <b></b> inside and <i>something</i> inside.",
]


@pytest.mark.parametrize("language", ["ru", "ja"])
def test_random_model_every_code_present_and_well_formed(packages_dir, language, capsys):
    package = find_package(packages_dir, "en", language)
    engine = Engine(EngineSettings(max_input_tokens=40))
    segments = [coded(markup, number=n + 1) for n, markup in enumerate(VARIED)]
    route = Route((package,))
    notes: dict = {}
    done = batch.translate([batch.Job("art", language, tuple(segments))], {language: route}, engine, Timer(), notes)
    written = confident = 0
    for segment in segments:
        translation = done[("art", language)][segment.id]
        noted = notes.get(("art", language, segment.id), ())
        placement = codes.Placement(translation.text, translation.codes, noted,
                                    tuple(dict.fromkeys(n.split()[1] for n in noted if n.startswith("code "))))
        assert_valid(segment, placement)
        findings = qa.check(qa.QAUnit(segment.text, translation.text, target_language=language,
                                      source_codes=segment.codes, target_codes=translation.codes))
        assert not [f for f in findings if f.code == "codes"]
        flagged = {f.message.split()[1] for f in findings if f.code == "code-placement"}
        ids = [c.id for c in segment.codes if c.role is not CodeRole.CLOSE]
        written += len(ids)
        confident += sum(1 for i in ids if i not in placement.unsure)
        for note in placement.notes:  # a code at the safe place is noted, and QA names it from the codes alone
            if "could not be placed" in note:
                code_id = note.split()[1]
                source = _source_layout(segment, code_id)
                assert code_id in flagged or source == _target_layout(translation, code_id), (note, findings)
    with capsys.disabled():
        print(f"\n{language}: {len(segments)} segments, {written} codes written, {confident} placed with "
              f"confidence, {written - confident} at the safe place (with notes)")
    assert written >= 60 and notes


def _source_layout(segment: Segment, code_id: str) -> list[tuple[CodeRole, bool, bool]]:
    return [(c.role, c.offset == 0, c.offset == len(segment.text)) for c in segment.codes if c.id == code_id]


def _target_layout(translation, code_id: str) -> list[tuple[CodeRole, bool, bool]]:
    return [(c.role, c.offset == 0, c.offset == len(translation.text)) for c in translation.codes if c.id == code_id]
