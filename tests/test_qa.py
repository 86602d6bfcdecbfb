"""QA findings: numbers, quote and bracket balance."""

from __future__ import annotations

import pytest

from tandem import qa


@pytest.mark.parametrize("source,target", [
    ("Paid $133.3 million on December 28.", "Заплатил 133,3 млн долларов 28 декабря."),
    ("Paid $133.3 million.", "1億3330万ドルを支払った。"),
    ("About $4.2 million each.", "1か所あたり約420万ドル。"),
    ("It has 1,000 ships.", "У него 1 000 судов."),
    ("Three ports.", "Три порта."),
    ("SM-3 Block IIA and RIM-161.", "SM-3 Block IIA и RIM-161."),
])
def test_numbers_that_survive_translation_give_no_finding(source, target):
    assert qa.check(source, target) == ()


def test_a_lost_or_changed_number_is_reported():
    (finding,) = qa.check("The vote was 7-2 on March 3.", "Голосование 7 против 3 марта.")
    assert finding.code == "numbers" and "2" in finding.message


def test_quotes_and_brackets_unbalanced_only_in_the_target_are_reported():
    codes = [f.code for f in qa.check("“We don't comment on [the] specifics,” he said.",
                                      "«Мы не комментируем [эти подробности», — сказал он.")]
    assert codes == ["brackets"]
    codes = [f.code for f in qa.check("“Fine,” she said.", "«Хорошо, — сказала она.")]
    assert codes == ["quotes"]
    # A quotation that spans two segments is unbalanced in the source too: no finding.
    assert qa.check('the schedule was "optimistic at best.', "график «в лучшем случае оптимистичен.") == ()
    assert qa.check("„Gut“, sagte er.", "„Хорошо“, — сказал он.") == ()


def test_empty_target_has_no_findings():
    assert qa.check("It costs 5 dollars.", "") == ()
