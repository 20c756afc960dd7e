"""Recommendations pasted as text → numbered items with bullet points, and back.

Plain Python, no Django: the facilitator's form (recommendations/forms.py) turns the
problems found here into sentences in the reader's language.

What it reads, line by line (blank lines never matter):

- A line that starts with a number, a dot (or a bracket) and a space starts a
  recommendation: ``1. Formulera gemensamma mål``. A number on its own (``3.``)
  takes its title from the next line.
- Within a recommendation that has bullet markers (•, -, * and the like), a line with
  a marker starts a bullet point, and a line without one continues whatever came
  before it: the title, or the last bullet. That is how slides copied from a PDF
  look: every line broken where the slide broke it, often with blank lines between.
- Within a recommendation without any bullet marker, every line after the title is
  one bullet point.
- Text before the first number (a heading, the discussion's slide) is left out,
  and reported so the preview can say so.
- Text with no numbered line at all is a plain list: every line one recommendation,
  numbered from 1.

`format_items` writes items in this format; `parse(format_items(items))` gives the
same items back.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# The database's limits (recommendations/models.py takes them from here).
TITLE_MAX = 200
BULLETS_MAX = 2000
# More than this is no longer something a group can rank on a phone in 20 minutes.
MAX_ITEMS = 30
NUMBER_MAX = 999
# The whole pasted text: generous for 30 recommendations with long bullet lists.
TEXT_MAX = 100_000

# A recommendation's first line: "1. Title", "12) Title", or "3." alone.
_NUMBERED = re.compile(r"^([0-9]{1,4})[.)](?:\s+(.*))?$")
# Bullet markers that may touch the text ("•Text"): nothing else starts a line with them.
_SYMBOL_MARKERS = "•◦▪▫‣●○■□►▶➢✓✔·\uf0b7\uf0a7\uf076\uf0d8"
# Markers that need a space after them, so "-5 grader" or "*viktigt*" stay text.
_ASCII_MARKERS = "-*+"
# Line breaks other than \n, as some programs copy them.
_BREAKS = re.compile(r"\r\n|[\r\f\v\x85\u2028\u2029]")


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    bullets: tuple[str, ...] = ()

    @property
    def bullet_list(self) -> list[str]:  # as Recommendation has it, for the templates
        return list(self.bullets)


@dataclass(frozen=True)
class Problem:
    """Why the text cannot be saved as it is. `code` names the kind (see the form for
    the sentence); `number` is the recommendation's and `line` the line's (from 1)."""

    code: str
    number: int | None = None
    line: int | None = None
    size: int | None = None
    other: int | None = None


@dataclass
class Parsed:
    items: list[Item] = field(default_factory=list)
    # The line (from 1) where each item starts, in the same order as the items.
    starts: list[int] = field(default_factory=list)
    # Text before the first numbered line, which is not imported.
    skipped: list[str] = field(default_factory=list)
    # True when no line had a number and every line became a recommendation.
    numbered_for_you: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.items) and not self.problems


def clean_line(line: str) -> str:
    """A line as it is stored: no space at the ends, one space between words."""
    return " ".join(line.split())


def same_title_key(title: str) -> str:
    return clean_line(title).casefold()


def parse(text: str) -> Parsed:
    if len(text) > TEXT_MAX:
        return Parsed(problems=[Problem("text_too_long", size=len(text), other=TEXT_MAX)])
    text = _BREAKS.sub("\n", text.removeprefix("\ufeff"))
    lines = text.split("\n")
    bad = [i for i, line in enumerate(lines, start=1) if _has_control(line)]
    if bad:
        return Parsed(problems=[Problem("control", line=bad[0], size=len(bad))])
    cleaned = [(i, clean_line(line)) for i, line in enumerate(lines, start=1)]
    cleaned = [(i, line) for i, line in cleaned if line]
    if not cleaned:
        return Parsed(problems=[Problem("empty")])

    starts = [k for k, (_, line) in enumerate(cleaned) if _NUMBERED.match(line)]
    if not starts:
        parsed = Parsed(
            items=[
                Item(number, _strip_marker(line) or line)
                for number, (_, line) in enumerate(cleaned, start=1)
            ],
            starts=[i for i, _ in cleaned],
            numbered_for_you=True,
        )
    else:
        ends = [*starts[1:], len(cleaned)]
        parsed = Parsed(
            items=[_item(cleaned[start:end]) for start, end in zip(starts, ends, strict=True)],
            starts=[cleaned[start][0] for start in starts],
            skipped=[line for _, line in cleaned[: starts[0]]],
        )
    parsed.problems = _check(parsed)
    return parsed


def _has_control(line: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in line)


def _marker_end(line: str) -> int:
    """Where the text after a bullet marker starts; 0 if the line has no marker."""
    if line[0] in _SYMBOL_MARKERS:
        return 1
    if line[0] in _ASCII_MARKERS and line[1:2] == " ":
        return 2
    return 0


def _strip_marker(line: str) -> str:
    return line[_marker_end(line) :].strip()


def _item(block: list[tuple[int, str]]) -> Item:
    """One recommendation's lines (the first is its numbered line) → an Item."""
    match = _NUMBERED.match(block[0][1])
    title = [match[2]] if match[2] else []
    bullets: list[list[str]] = []
    rest = [line for _, line in block[1:]]
    marked = any(_marker_end(line) for line in rest)
    for line in rest:
        if marked and _marker_end(line):
            bullets.append([line[_marker_end(line) :]])
        elif marked and bullets:
            bullets[-1].append(line)  # a bullet broken over lines
        elif marked or not title:
            title.append(line)  # a title broken over lines, or after "3." alone
        else:
            bullets.append([line])  # no markers: every line is a bullet
    texts = (clean_line(" ".join(parts)) for parts in bullets)
    return Item(int(match[1]), clean_line(" ".join(title)), tuple(t for t in texts if t))


def _check(parsed: Parsed) -> list[Problem]:
    items = parsed.items
    if len(items) > MAX_ITEMS:
        return [Problem("too_many", size=len(items), other=MAX_ITEMS)]
    problems = []
    seen_titles: dict[str, int] = {}
    previous = None
    for item, line in zip(items, parsed.starts, strict=True):
        if item.number < 1 or item.number > NUMBER_MAX:
            problems.append(Problem("bad_number", item.number, line, other=NUMBER_MAX))
        if previous is not None and item.number == previous:
            problems.append(Problem("duplicate_number", item.number, line))
        elif previous is not None and item.number < previous:
            problems.append(Problem("order", item.number, line, other=previous))
        previous = item.number
        if not item.title:
            problems.append(Problem("no_title", item.number, line))
        elif len(item.title) > TITLE_MAX:
            size = len(item.title)
            problems.append(Problem("title_too_long", item.number, line, size, TITLE_MAX))
        bullets = len("\n".join(item.bullets))
        if bullets > BULLETS_MAX:
            problems.append(Problem("bullets_too_long", item.number, line, bullets, BULLETS_MAX))
        key = same_title_key(item.title)
        if item.title and key in seen_titles:
            problems.append(Problem("duplicate_title", item.number, line, other=seen_titles[key]))
        seen_titles.setdefault(key, item.number)
    return problems


def format_items(items) -> str:
    """Items (anything with number, title and bullets) as text that `parse` reads back."""
    return "\n\n".join(
        "\n".join([f"{item.number}. {item.title}", *(f"• {b}" for b in item.bullets)])
        for item in items
    )
