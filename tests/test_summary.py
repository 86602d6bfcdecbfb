from pathlib import Path
from types import SimpleNamespace

from tandem import summary


def _report(kept=(), machine_translation=False, **origins_by_lang):
    return SimpleNamespace(article="story", segments=3, output_dir="out/story", kept=kept,
                           machine_translation=machine_translation, targets=tuple(
        SimpleNamespace(language=lang, translated_segments=3 - none, origins={"none": none})
        for lang, none in origins_by_lang.items()))


def test_run_line_counts_translated_segments_per_language():
    assert summary.run_line(_report(ru=3, ja=0)) == \
        "story: 3 segments: ru 0/3 translated, ja 3/3 translated -> out/story/"


def test_untranslated_warnings_only_for_languages_with_empty_segments():
    assert summary.untranslated_warnings(_report(ru=3, ja=0)) == [
        "story: 3 of 3 segments have no ru translation in the memory and were left empty (--no-mt)"]


def test_untranslated_warnings_name_the_real_cause_not_always_no_mt():
    """A --to ru run keeps Japanese as the memory holds it: its empty segments are not --no-mt's doing."""
    assert summary.untranslated_warnings(_report(kept=("ja",), machine_translation=True, ru=0, ja=1)) == [
        "story: 1 of 3 segments have no ja translation in the memory and were left empty (ja was not in --to)"]


def test_merge_lines_list_rejections_and_rebuilt_folders():
    result = SimpleNamespace(path="a.xlf", article="story", target_lang="ru", updated=["p1.s1"],
                             unchanged=[], restated=[], untouched=["p1.s3"], rejected=[("p1.s2", "source changed")],
                             missing=[])
    assert summary.merge_lines([result], [Path("out/story")]) == [
        "a.xlf: story ru: 1 updated, 0 state changed, 0 unchanged, 1 untouched, 1 rejected, 0 not in the file",
        "  rejected p1.s2: source changed",
        "rebuilt out/story/"]


def test_models_list_lines_say_when_nothing_is_installed():
    assert summary.models_list_lines({"packages": [], "pairs": [], "packages_dir": "/p"}) == [
        "no translation packages installed in /p"]
