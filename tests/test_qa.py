"""QA: the registry of checks, each check in both directions (it fires on a bad translation,
it stays quiet on correct Russian and Japanese ones), the hand-written sample translation,
and the aligner building the unit the checks see."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tandem import align, qa, segment
from tandem.document import (CodeKind, CodeRole, GlossaryEntry, InlineCode, Origin, Severity, TargetTerm,
                             TermMatch, TermStatus, Translation)
from tandem.qa import terms as qa_terms
from tandem.readers.text import parse

SAMPLE_TMX = Path(__file__).resolve().parent.parent / "src" / "tandem" / "samples" / "harbor-radar.tmx"

COAST_GUARD = GlossaryEntry("Coast Guard", (
    TargetTerm("ru", "Береговая охрана"), TargetTerm("ru", "Береговая стража", TermStatus.DEPRECATED),
    TargetTerm("ja", "沿岸警備隊"), TargetTerm("ja", "コーストガード", TermStatus.FORBIDDEN)))
LAVROV = GlossaryEntry("Sergei Lavrov", (TargetTerm("ru", "Сергей Лавров"), TargetTerm("ja", "セルゲイ・ラブロフ")))
THAAD = GlossaryEntry("THAAD", do_not_translate=True, case_sensitive=True)


def unit(source: str, target: str, language: str, **more) -> qa.QAUnit:
    """A unit with the glossary terms of ``source`` found the simple way (whole entry, any case)."""
    if "terms" not in more:
        found = [(e, source.lower().find(e.source.lower())) for e in (COAST_GUARD, LAVROV, THAAD)]
        more["terms"] = tuple(TermMatch(e, at, at + len(e.source), source[at:at + len(e.source)])
                              for e, at in found if at >= 0)
    return qa.QAUnit(source, target, target_language=language, **more)


def link(role: CodeRole, offset: int) -> InlineCode:
    return InlineCode("1", role, CodeKind.LINK, "<a>" if role is CodeRole.OPEN else "</a>", offset)


LINKED = dict(source_codes=(link(CodeRole.OPEN, 9), link(CodeRole.CLOSE, 19)))

# (check, language, source, bad target, extra unit fields, what the message names)
FIRES = [
    ("codes", "ru", "Read the full report today.", "Прочтите полный доклад сегодня.",
     dict(LINKED, target_codes=(link(CodeRole.OPEN, 9),)), "missing in the target: 1 (link, close)"),
    ("code-placement", "ja", "Read the full report today.", "今日、報告書の全文を読んでください。",
     dict(LINKED, target_codes=(link(CodeRole.OPEN, 0), link(CodeRole.CLOSE, 18))), "whole target sentence"),
    ("numbers", "ru", "The vote was 7-2 on March 3.", "Голосование 7 против 3 марта.", {}, ": 2"),
    ("numbers", "ja", "The upgrade costs $133.3 million.", "更新費用は1億3300万ドル。", {}, ": 133.3"),
    ("numbers", "ru", "Prices rose 4.2% in November.", "В ноябре цены выросли на 4,2 пункта.", {}, "4.2%"),
    ("dates", "ru", "The council meets on January 15.", "Совет соберётся 15 февраля.", {}, "«15 января»"),
    ("dates", "ja", "The council meets on January 15.", "市議会は1月5日に開かれる。", {}, "1月15日"),
    ("dates", "ja", "Voting ends on Tuesday.", "投票は水曜日に締め切られる。", {}, "火曜日"),
    ("urls", "ru", "Details are at https://portalder.gov/radar.", "Подробности — на https://portalder.gov/радар.",
     {}, "https://portalder.gov/radar"),
    ("emails", "ja", "Write to tips@harbor-news.example.", "情報はtips@harbor-news.example.jpまで。", {},
     "in the target only: tips@harbor-news.example.jp"),
    ("handles", "ru", "Follow @PortAlderCity for updates.", "Следите за новостями в аккаунте мэрии.", {},
     "@PortAlderCity"),
    ("term-missing", "ru", "The Coast Guard found gaps in coverage.", "Пограничники обнаружили пробелы в покрытии.",
     {}, "«Береговая охрана»"),
    ("term-missing", "ja", "The Coast Guard found gaps in coverage.", "海上保安当局が探知範囲の空白を見つけた。", {},
     "«沿岸警備隊»"),
    ("term-avoided", "ru", "The Coast Guard found gaps in coverage.", "Береговая стража обнаружила пробелы в покрытии.",
     {}, "deprecated term «Береговая стража»"),
    ("term-avoided", "ja", "The Coast Guard found gaps in coverage.", "コーストガードが探知範囲の空白を見つけた。", {},
     "forbidden term «コーストガード»"),
    ("term-verbatim", "ru", "The THAAD battery stayed inland.", "Батарея ТХААД осталась в глубине страны.", {},
     "'THAAD'"),
    ("term-verbatim", "ja", "The THAAD battery stayed inland.", "サード部隊は内陸にとどまった。", {}, "'THAAD'"),
    ("untranslated", "ru", "Not everyone is convinced.", "Not everyone is convinced.", {}, "untranslated"),
    ("untranslated", "ja", "Not everyone is convinced.", "not everyone is  convinced.", {}, "untranslated"),
    ("wrong-script", "ru", "Residents complained about the noise.", "Zhiteli zhalovalis na shum.", {},
     "not in Cyrillic"),
    ("wrong-script", "ja", "Residents complained about the noise.", "Жители жаловались на шум.", {},
     "not in kana or kanji"),
    ("quotes", "ru", "“Fine,” she said.", "«Хорошо, — сказала она.", {}, "unbalanced"),
    ("quotes", "ja", "“We have waited long enough,” said the mayor.", "十分に待ったと市長は語った。", {},
     "the target none"),
    ("punctuation-style", "ru", 'The mayor called it "a good day."', 'Мэр назвал это "хорошим днём".', {},
     "straight quotes"),
    ("punctuation-style", "ja", "“We are ready,” the captain said.", "“準備はできている”と船長は語った。", {},
     "Japanese quotes with 「…」"),
    ("punctuation-style", "ja", "The city approved the budget and will start work.", "市は予算を承認し, 工事を始める。",
     {}, "Latin ,"),
    ("brackets", "ru", "The report (PDF) is online.", "Доклад (PDF опубликован в интернете.", {}, "unbalanced"),
    ("brackets", "ja", "“We don't comment on [the] specifics,” he said.", "「詳細についてはコメントしない」と述べた。", {},
     "fewer [ ]"),
    ("end-punctuation", "ru", "Who will pay?", "Кто заплатит.", {}, "'?'"),
    ("end-punctuation", "ru", "The council gave three reasons:", "Совет назвал три причины.", {}, "':'"),
    ("end-punctuation", "ja", "The ferry left at noon.", "フェリーは正午に出発した.", {}, "with 。"),
    ("end-punctuation", "ja", "Will the radar be ready in time?", "レーダーは間に合う。", {}, "'?'"),
    ("start-punctuation", "ru", "“We waited,” she said.", "Мы ждали, — сказала она.", {}, "a quotation mark"),
    ("start-punctuation", "ja", "“Fine,” she said.", "いいわと彼女は言った。", {}, "a quotation mark"),
    ("whitespace", "ru", "Yes. ", "Да.", {}, "the source ends with whitespace"),
    ("whitespace", "ja", "The ferry left.", " フェリーは出発した。", {}, "the target starts with whitespace"),
    ("spacing", "ru", "Yes, he said.", "Да , сказал он.", {}, "a space before ','"),
    ("spacing", "ru", "The council approved the plan.", "Совет  одобрил план.", {}, "double space"),
    ("spacing", "ja", "The city approved the budget. Work starts next month.", "市は予算を承認した。 工事は来月始まる。",
     {}, "a space after"),
    ("repeated-words", "ru", "The council approved the plan.", "Совет одобрил одобрил план.", {}, "'одобрил'"),
    ("repeated-words", "ja", "The council approved the plan.", "市議会は計画を承認承認承認した。", {}, "'承認'"),
    ("capitals", "ru", "The council approved the plan.", "совет одобрил план.", {}, "('с')"),
    ("acronyms", "ru", "The THAAD battery stayed inland.", "Батарея ТХААД осталась в глубине страны.",
     dict(terms=()), "THAAD"),
    ("acronyms", "ja", "The navy tested the SM-3 Block IIA.", "海軍はスタンダード3ブロック2Aを試験した。", {},
     "SM-3, IIA"),
    ("length", "ru", "The council approved the radar upgrade on Tuesday.", "Совет одобрил.", {}, "0.28 times"),
    ("length", "ja", "The council approved the plan.",
     "市議会は長い議論の末、沿岸レーダー網の更新計画を賛成多数で正式に承認したと、市の広報担当者が記者会見で明らかにした。", {},
     "expected 0.2-0.9 for ja"),
    ("low-confidence", "ru", "The council approved the plan.", "Совет одобрил план.",
     dict(origin=Origin.MT, score=-1.6), "score -1.600"),
    ("low-confidence", "ja", "The council approved the plan.", "市議会は計画を承認した。",
     dict(origin=Origin.MT, score=-2.3), "score -2.300"),
]


@pytest.mark.parametrize("check_id,language,source,target,more,named", FIRES,
                         ids=[f"{c[0]}-{c[1]}-{n}" for n, c in enumerate(FIRES)])
def test_each_check_fires_on_a_bad_translation_and_names_what_it_found(check_id, language, source, target, more,
                                                                       named):
    findings = qa.check(unit(source, target, language, **more), [qa.by_id(check_id)])
    assert findings, (check_id, target)
    assert all(f.code == check_id and f.severity is qa.by_id(check_id).severity for f in findings)
    assert any(named in f.message for f in findings), [f.message for f in findings]


def test_every_registered_check_has_a_case_that_makes_it_fire_in_russian_or_japanese():
    assert {c[0] for c in FIRES} == {c.id for c in qa.CHECKS}


# Correct translations, in news style: no check of the registry says anything about them.
QUIET = [
    ("Port Alder approves $133.3 million radar upgrade",
     "Порт-Олдер одобрил модернизацию радаров за 133,3 млн долларов",
     "ポートオールダー市、1億3330万ドルのレーダー更新を承認"),
    ("Shares of Harbor Freight rose 4.2% to $18.50 on Monday.",
     "В понедельник акции Harbor Freight выросли на 4,2% — до 18,50 доллара.",
     "月曜日、ハーバー・フレイトの株価は4.2％上昇し、18.50ドルとなった。"),
    ("The port handled 9,000 containers in 2025, up from 7,500 a year earlier.",
     "В 2025 году порт обработал 9 000 контейнеров против 7 500 годом ранее.",
     "港は２０２５年に９０００個のコンテナを取り扱い、前年の７５００個から増えた。"),
    ("The city will borrow $1.2 billion, officials said on Jan. 15.",
     "Город займёт 1,2 млрд долларов, сообщили официальные лица 15 января.",
     "市は12億ドルを借り入れると、当局者が1月15日に明らかにした。"),
    ("About 1.5 million people live in the region, up 3% since 2020.",
     "В регионе проживает около 1,5 млн человек — на 3% больше, чем в 2020 году.",
     "同地域の人口は約150万人で、2020年から3％増えた。"),
    ("The meeting starts at 7 p.m. on Thursday.", "Заседание начнётся в четверг в 19:00.",
     "会合は木曜日の午後7時に始まる。"),
    ("The first stations go online in September.", "Первые станции заработают в сентябре.",
     "最初の局は9月に稼働する。"),
    ("Send questions to press@portalder.gov or visit https://portalder.gov/radar.",
     "Вопросы присылайте на press@portalder.gov или заходите на https://portalder.gov/radar.",
     "質問はpress@portalder.govへ。詳細はhttps://portalder.gov/radarで。"),
    ("Follow the city on @PortAlderCity for updates.", "Следите за новостями города в аккаунте @PortAlderCity.",
     "最新情報は市の公式アカウント@PortAlderCityで発信される。"),
    ("“Who decided this?” asked Mayor Elena Brandt.", "«Кто это решил?» — спросила мэр Елена Брандт.",
     "「誰が決めたのか」とエレナ・ブラント市長は問いただした。"),
    ("Will the radar be ready by September?", "Будет ли радар готов к сентябрю?",
     "レーダーは9月までに完成するのだろうか。"),
    ("The council listed three reasons:", "Совет назвал три причины:", "市議会は三つの理由を挙げた："),
    ('The mayor said: "The word “delay” is banned here."', "Мэр сказал: «Слово „задержка“ здесь под запретом».",
     "市長は「ここでは『遅れ』という言葉は禁句だ」と述べた。"),
    ('"I hope I\'m wrong."', "«Надеюсь, я ошибаюсь».", "「私の思い違いならいいのですが」"),
    ("The report (PDF, 40 pages) is online.", "Доклад (PDF, 40 страниц) опубликован в интернете.",
     "報告書（PDF、40ページ）はオンラインで公開されている。"),
    ("Officials delayed the vote again and again.", "Чиновники снова и снова откладывали голосование.",
     "当局は何度も何度も採決を先送りした。"),
    ("It was a long, long night for the crew.", "Для экипажа это была долгая-долгая ночь.",
     "乗組員にとって長い長い夜となった。まだまだ続く。"),
    ("The navy wants the SM-3 Block IIA range and the THAAD battery linked.",
     "ВМС хотят связать полигон SM-3 Block IIA с батареей THAAD.",
     "海軍はSM-3 Block IIA試験場とTHAAD部隊の連携を求めている。"),
    ("The U.S. Coast Guard found gaps in coverage.", "Береговая охрана США обнаружила пробелы в зоне обзора.",
     "米沿岸警備隊は探知範囲に空白があることを突き止めた。"),
    ("The report came from the Coast Guard.", "Доклад подготовила Береговая охрана.",
     "報告書は沿岸警備隊がまとめた。"),
    ("The talks with Sergei Lavrov ended on December 28.", "Переговоры с Сергеем Лавровым завершились 28 декабря.",
     "セルゲイ・ラブロフ氏との協議は12月28日に終了した。"),
    ("PORT ALDER, December 28 — The council met.", "ПОРТ-ОЛДЕР, 28 декабря — Совет собрался.",
     "ポートオールダー、12月28日 — 市議会が開かれた。"),
    ("The UN and NATO met the company's CEO.", "ООН и НАТО встретились с генеральным директором компании.",
     "国連とNATOは同社の最高経営責任者と会談した。"),
    ("THAAD", "THAAD", "THAAD"),
    ("12:30", "12:30", "12:30"),
    ("Wait!", "Подождите!", "待って！"),
    ("It passed. ", "Принято. ", "可決された。"),  # a Japanese 。 needs no space after it
]


@pytest.mark.parametrize("language", ["ru", "ja"])
@pytest.mark.parametrize("source,ru,ja", QUIET, ids=[q[0][:30] for q in QUIET])
def test_no_check_fires_on_a_correct_russian_or_japanese_translation(source, ru, ja, language):
    target = ru if language == "ru" else ja
    assert qa.check(unit(source, target, language)) == ()


@pytest.mark.parametrize("language,target", [("ru", "Прочтите полный доклад сегодня."),
                                             ("ja", "今日、報告書の全文を読んでください。")])
def test_codes_where_the_source_has_them_and_confident_mt_give_no_finding(language, target):
    placed = (link(CodeRole.OPEN, 9), link(CodeRole.CLOSE, 22)) if language == "ru" else \
        (link(CodeRole.OPEN, 3), link(CodeRole.CLOSE, 9))
    mt = unit("Read the full report today.", target, language, target_codes=placed, origin=Origin.MT, score=-0.3,
              **LINKED)
    assert qa.check(mt) == ()


def test_a_human_translation_has_no_score_and_no_confidence_finding():
    assert qa.check(unit("The council approved the plan.", "Совет одобрил план.", "ru", origin=Origin.HUMAN)) == ()


# -- numbers, dates, terms: the rules behind them ---------------------------------------------------

@pytest.mark.parametrize("source,target,language", [
    ("Paid $133.3 million on December 28.", "Заплатил 133,3 млн долларов 28 декабря.", "ru"),
    ("Paid $133.3 million.", "1億3330万ドルを支払った。", "ja"),
    ("Paid $133.3 million.", "Заплатил 133 300 000 долларов.", "ru"),
    ("About $4.2 million each.", "1か所あたり約420万ドル。", "ja"),
    ("It has 1,000 ships.", "У него 1\u00a0000 судов.", "ru"),
    ("It has 1,000 ships.", "船は１，０００隻。", "ja"),
    ("SM-3 Block IIA and RIM-161.", "SM-3 Block IIA и RIM-161.", "ru"),
])
def test_numbers_written_the_target_languages_way_are_found(source, target, language):
    assert qa.check(unit(source, target, language), [qa.by_id("numbers")]) == ()


def test_a_number_the_target_has_twice_does_not_stand_for_two_in_the_source():
    (finding,) = qa.check(unit("Ships 7 and 7 left; 2 stayed.", "Ушли суда 7 и 8; 2 остались.", "ru"),
                          [qa.by_id("numbers")])
    assert finding.message.endswith(": 7")


@pytest.mark.parametrize("target,found", [
    ("Визит Сергея Лаврова.", True), ("Встреча с Сергеем Лавровым.", True), ("Сергей Лавров прибыл.", True),
    ("Лавров Сергей прибыл.", False),  # another word order is not the term
    ("Визит Сергея Лаврентьева.", False),
])
def test_a_russian_term_is_found_in_any_case_form_of_each_word(target, found):
    assert bool(qa_terms.find("Сергей Лавров", target, "ru")) is found


@pytest.mark.parametrize("term,word,same", [
    ("охрана", "охраной", True), ("береговая", "береговую", True), ("совет", "советами", True),
    ("городской", "городского", True), ("охрана", "охранник", False), ("совет", "советник", False),
    ("город", "городской", False),
])
def test_russian_words_are_the_same_only_with_an_ending_swapped(term, word, same):
    assert qa_terms.same_word(term, word) is same


def test_a_deprecated_term_inside_the_preferred_one_is_not_reported():
    entry = GlossaryEntry("radar station", (TargetTerm("ru", "радиолокационная станция"),
                                            TargetTerm("ru", "станция", TermStatus.DEPRECATED)))
    match = TermMatch(entry, 4, 17, "radar station")
    good = unit("The radar station closed.", "Радиолокационная станция закрылась.", "ru", terms=(match,))
    bad = unit("The radar station closed.", "Станция закрылась.", "ru", terms=(match,))
    assert qa.check(good, [qa.by_id("term-avoided")]) == ()
    assert [f.code for f in qa.check(bad, [qa.by_id("term-avoided"), qa.by_id("term-missing")])] == [
        "term-avoided", "term-missing"]


# -- the registry -------------------------------------------------------------------------------

def test_the_registry_lists_each_check_once_with_a_severity_and_a_one_line_description():
    ids = [c.id for c in qa.CHECKS]
    assert len(ids) == len(set(ids)) and ids[:3] == ["codes", "code-placement", "numbers"]
    assert all(c.description and "\n" not in c.description and isinstance(c.severity, Severity) for c in qa.CHECKS)
    lines = qa.describe()
    assert len(lines) == len(ids) and lines[2].startswith("numbers (error): ")
    assert qa.by_id("low-confidence").severity is Severity.WARNING
    with pytest.raises(KeyError):
        qa.by_id("spellcheck")


def test_findings_come_in_registry_order_and_none_for_an_empty_target():
    codes = [f.code for f in qa.check(unit("Paid 400 (or more).", "Заплатил (или больше.", "ru"))]
    assert codes == ["numbers", "brackets"]
    assert qa.check(unit("It costs 5 dollars.", "", "ru")) == ()
    assert qa.check(unit("It costs 5 dollars.", "  ", "ja")) == ()


def test_a_quotation_that_spans_two_segments_is_not_unbalanced():
    assert qa.check(unit('the schedule was "optimistic at best.', "график «в лучшем случае оптимистичен.", "ru")) == ()
    assert qa.check(unit('It is not unusual," she added.', "Это не редкость», — добавила она.", "ru")) == ()


# -- the hand-written sample translation -------------------------------------------------------------

def _sample_pairs(language: str) -> list[tuple[str, str]]:
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = []
    for tu in etree.parse(str(SAMPLE_TMX)).iter("tu"):
        texts = {tuv.get(lang): tuv.findtext("seg") for tuv in tu.iter("tuv")}
        pairs.append((texts["en"], texts[language]))
    return pairs


@pytest.mark.parametrize("language", ["ru", "ja"])
def test_the_hand_written_sample_translation_has_no_error_nor_warning(language):
    pairs = _sample_pairs(language)
    assert len(pairs) == 26
    found = [(source, f) for source, target in pairs for f in qa.check(unit(source, target, language, origin=Origin.TM))]
    assert not [x for x in found if x[1].severity is Severity.ERROR], found
    assert not [x for x in found if x[1].severity is Severity.WARNING], found


# -- the aligner -------------------------------------------------------------------------------------

def test_align_gives_the_checks_languages_origin_score_and_terms():
    article = segment.segment_article(parse("The THAAD battery stayed inland.\n", name="t", source_path="t.txt"))
    (seg,) = article.segments
    match = TermMatch(THAAD, 4, 9, "THAAD")
    translation = Translation(seg.id, "ru", "Батарея ТХААД осталась в глубине страны.", Origin.MT, score=-1.5)
    doc = align.align(article, "ru", [translation], terms={seg.id: (match,)})
    (pair,) = doc.pairs
    assert pair.terms == (match,)
    assert {f.code for f in pair.findings} == {"term-verbatim", "acronyms", "low-confidence"}
    without = align.align(article, "ru", [translation])
    assert without.pairs[0].terms == () and {f.code for f in without.pairs[0].findings} == {"acronyms",
                                                                                              "low-confidence"}
