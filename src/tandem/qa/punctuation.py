"""Quotation marks, brackets, punctuation and spacing, by the target's conventions.

Russian quotes with «…» („…“ inside), Japanese with 「…」 (『…』 inside) and ends sentences
with 。 -- not before a closing 」, where Japanese puts none.  Any style of quotation mark
counts as a quotation mark when comparing with the source; the style itself is a
``punctuation-style`` remark.  A quotation that spans two segments is unbalanced in the source
too, so balance is only required of a target whose source is balanced.
"""

from __future__ import annotations

import re

from tandem.qa.base import Messages, QAUnit, japanese

_DOUBLE_QUOTES = '"“”„«»「」『』‟〝〞'
_OPENING_QUOTES = "«「『„"
_CLOSING_QUOTES = "»」』”"
_CLOSERS = "\"'”’»」』)）]］}｝›"
_BRACKETS = (("(", ")", "（", "）"), ("[", "]", "［", "］"), ("{", "}", "｛", "｝"), ("【", "】", "", ""),
             ("〔", "〕", "", ""))
_END = {"?": "?？", "!": "!！", "…": "…", ":": ":：", ";": ";；", ".": ".。．"}
_END_NAMES = {"?": "'?'", "!": "'!'", "…": "an ellipsis", ":": "':'", ";": "';'", ".": "a full stop",
              "": "no end punctuation"}
_LEADS = {"a quotation mark": "\"“„«「『‘'‹", "a bracket": "([（［", "a dash": "—–", "an ellipsis": "…"}


def quotes(unit: QAUnit) -> Messages:
    """Quotation marks balanced in the source but not in the target, or lost altogether.

    >>> list(quotes(QAUnit("“Fine,” she said.", "«Хорошо, — сказала она.", target_language="ru")))
    ['quotation marks are unbalanced in the target']
    >>> list(quotes(QAUnit("“Fine,” she said.", "「いいわ」と彼女は言った。", target_language="ja")))
    []
    """
    if balanced_quotes(unit.source) and not balanced_quotes(unit.target):
        return ["quotation marks are unbalanced in the target"]
    if _count(unit.source, _DOUBLE_QUOTES) and not _count(unit.target, _DOUBLE_QUOTES):
        return ["the source has quotation marks, the target none"]
    return []


def balanced_quotes(text: str) -> bool:
    """Whether every opening quotation mark has its closing one (straight ones in pairs).

    >>> balanced_quotes("„Хорошо“, — сказал он."), balanced_quotes('the schedule was "optimistic')
    (True, False)
    """
    low = text.count("„")  # “ opens English quotes but closes Russian (and German) „…“ ones
    opening = _count(text, _OPENING_QUOTES) + text.count("“") - low
    closing = _count(text, _CLOSING_QUOTES) + low
    return opening == closing and text.count('"') % 2 == 0


def style(unit: QAUnit) -> Messages:
    """Quotation marks (and, in Japanese, commas and full stops) of another language's style.

    >>> list(style(QAUnit('He said "no."', 'Он сказал "нет".', target_language="ru")))
    ['straight quotes (") in a Russian target: Russian quotes with «…» („…“ inside)']
    """
    if unit.language == "ru":
        return _russian_style(unit.target)
    if unit.language == "ja":
        return _japanese_style(unit.target)
    return []


def _russian_style(target: str) -> list[str]:
    found = []
    if '"' in target:
        found.append('straight quotes (") in a Russian target: Russian quotes with «…» („…“ inside)')
    if "”" in target or target.count("“") > target.count("„"):
        found.append("English quotes (“…”) in a Russian target: Russian quotes with «…» („…“ inside)")
    if _depth(target, "«", "»") > 1:
        found.append("«…» inside «…»: Russian quotes inside quotes with „…“")
    return found


def _japanese_style(target: str) -> list[str]:
    found = []
    other = sorted({c for c in target if c in '"“”«»„'}, key='"“”«»„'.index)
    if other:
        found.append(f"quotation marks {' '.join(other)} in a Japanese target: Japanese quotes with 「…」 (『…』 inside)")
    if _depth(target, "「", "」") > 1:
        found.append("「…」 inside 「…」: Japanese quotes inside quotes with 『…』")
    latin = sorted({m.group(1) for m in re.finditer(r"(?<=\S)([,.]) ?(?=\S)", target)
                    if japanese(target[m.start() - 1]) and japanese(target[m.end()])})
    if latin:
        found.append(f"Latin {' and '.join(latin)} between Japanese words: Japanese writes 、 and 。")
    return found


def brackets(unit: QAUnit) -> Messages:
    """Brackets unbalanced in the target (balanced in the source), or fewer than the source's
    (full-width （）［］ count as their ASCII forms).

    >>> list(brackets(QAUnit("“No comment on [the] details.”", "「詳細についてはコメントしない」", target_language="ja")))
    ['the target has fewer [ ] than the source (0 of 1)']
    """
    found = []
    if _brackets_balanced(unit.source) and not _brackets_balanced(unit.target):
        found.append("brackets are unbalanced in the target")
    for opening, closing, wide_open, wide_close in _BRACKETS:
        wanted, got = _count(unit.source, opening + wide_open), _count(unit.target, opening + wide_open)
        if got < wanted:
            found.append(f"the target has fewer {opening} {closing} than the source ({got} of {wanted})")
    return found


def _brackets_balanced(text: str) -> bool:
    return all(_count(text, opening + wide_open) == _count(text, closing + wide_close)
               for opening, closing, wide_open, wide_close in _BRACKETS)


def end_punctuation(unit: QAUnit) -> Messages:
    """The target ends otherwise than the source: a question that is no longer one, a colon
    lost, a full stop added or dropped; a Japanese sentence ending with "." rather than 。.

    >>> list(end_punctuation(QAUnit("Who will pay?", "Кто заплатит.", target_language="ru")))
    ["the source ends with '?' but the target with a full stop"]
    >>> list(end_punctuation(QAUnit('"I hope I\\'m wrong."', "「私の思い違いならいいのですが」", target_language="ja")))
    []
    """
    source_tail, _ = tail(unit.source)
    target_tail, before = tail(unit.target)
    wanted, got = end_class(source_tail), end_class(target_tail)
    if unit.language == "ja" and got == "." and "." in target_tail and not any(c in target_tail for c in "。．"):
        return ["the target ends with '.': Japanese ends a sentence with 。"]
    if wanted == got or _japanese_equivalent(wanted, got, target_tail, before, unit.language):
        return []
    ends = "has no end punctuation" if not got else f"with {_END_NAMES[got]}"
    return [f"the source ends with {_END_NAMES[wanted]} but the target {ends}"]


def _japanese_equivalent(wanted: str, got: str, target_tail: str, before: str, language: str) -> bool:
    if language != "ja" or got not in ("", "."):
        return False
    if wanted == "." and got == "" and target_tail and target_tail[-1] in _CLOSERS:
        return True  # no 。 before a closing 」 (or at the end of a quotation)
    return wanted == "?" and before == "か"  # a question ending in the particle か (…のか。)


def tail(text: str) -> tuple[str, str]:
    """The run of punctuation, closing marks and spaces that ends ``text``, and the character
    before it.

    >>> tail('called the price "excessive." '), tail("«чрезмерной».")
    (('."', 'e'), ('».', 'й'))
    """
    text = text.rstrip()
    end = len(text)
    while end and (text[end - 1] in _CLOSERS or any(text[end - 1] in chars for chars in _END.values())
                   or text[end - 1].isspace()):
        end -= 1
    return text[end:].replace(" ", ""), text[end - 1:end]


def end_class(tail_text: str) -> str:
    """What a tail ends the sentence with: '?', '!', '…', ':', ';', '.' or '' (by precedence).

    >>> end_class('?»'), end_class('...'), end_class('」')
    ('?', '…', '')
    """
    if "..." in tail_text:
        return "…"
    return next((name for name, chars in _END.items() if any(c in tail_text for c in chars)), "")


def start_punctuation(unit: QAUnit) -> Messages:
    """The source opens with a quotation mark, a bracket, a dash or an ellipsis, and the target
    does not (in any style: « and 「 are quotation marks).

    >>> list(start_punctuation(QAUnit("“We waited,” she said.", "Мы ждали, — сказала она.", target_language="ru")))
    ['the source starts with a quotation mark, the target does not']
    """
    source, target = _lead(unit.source), _lead(unit.target)
    return [f"the source starts with {name}, the target does not"
            for name, chars in _LEADS.items()
            if any(c in chars for c in source) and not any(c in chars for c in target)]


def _lead(text: str) -> str:
    match = re.match(r"[^\w\s]*", text.lstrip())
    return match.group() if match else ""


def whitespace(unit: QAUnit) -> Messages:
    """Leading or trailing whitespace that differs (a Japanese 。 needs no space after it).

    >>> list(whitespace(QAUnit("Yes. ", "Да.", target_language="ru")))
    ['the source ends with whitespace, the target does not']
    """
    found = []
    if unit.source[:1].isspace() != unit.target[:1].isspace():
        found.append(_which("starts", unit.source[:1].isspace()))
    if unit.source[-1:].isspace() != unit.target[-1:].isspace():
        after_full_stop = unit.language == "ja" and unit.target.rstrip()[-1:] in "。」』！？"
        if not (after_full_stop and unit.source[-1:].isspace()):
            found.append(_which("ends", unit.source[-1:].isspace()))
    return found


def _which(where: str, source_has_it: bool) -> str:
    return (f"the source {where} with whitespace, the target does not" if source_has_it
            else f"the target {where} with whitespace, the source does not")


def spacing(unit: QAUnit) -> Messages:
    """Double spaces the source does not have; in Russian a space before , . ; : ! ? or none
    after a comma; in Japanese a space after 、 or 。.

    >>> list(spacing(QAUnit("Yes, he said, yes.", "Да , сказал он,да.", target_language="ru")))
    ["a space before ',' in the target", "no space after ',' in the target"]
    """
    found = []
    if unit.target.count("  ") > unit.source.count("  "):
        found.append("a double space in the target")
    if unit.language == "ru":
        found += [f"a space before '{p}' in the target"
                  for p in sorted(set(re.findall(r"(?<=\w) +([,;:!?]|\.(?!\.))", unit.target)), key=",.;:!?".find)]
        found += [f"no space after '{p}' in the target"
                  for p in sorted(set(re.findall(r"(?<=[^\W\d_])([,;])(?=[^\W\d_])", unit.target)))]
    if unit.language == "ja" and re.search(r"[、。] ", unit.target):
        found.append("a space after 、 or 。 in the target: Japanese puts none")
    return found


def _count(text: str, chars: str) -> int:
    return sum(text.count(c) for c in chars)


def _depth(text: str, opening: str, closing: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += (char == opening) - (char == closing)
        deepest = max(deepest, depth)
    return deepest
