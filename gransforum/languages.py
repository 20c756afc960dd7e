"""Which language a page speaks: one rule for every page, without Django.

1. The language the person picked with the switch (kept in the language cookie).
2. Else the phone's own languages (its Accept-Language header), in the order it
   prefers them: the first one we have. Norwegian in any form (nb, nn, no) reads
   bokmål; sv and en are themselves; any region (nb-NO, en-GB, sv-FI) counts.
3. Else the workshop's language, on the pages of a workshop (joining it, the phone).
4. Else Swedish.

Why the phone's language comes before the workshop's: the workshop's language is
the organiser's one guess for a whole room, the phone's is what its owner reads
every day. A visitor from Oslo at a Swedish workshop gets Norwegian from the first
page the QR code opens, without having to find a switch in a language they read
less well; the recommendations and the questions stay as the organiser wrote them
(they are data, never translated), only the interface around them changes. When
the phone asks for none of our languages (a German phone, say), the workshop's
language is the best guess left: the room speaks it and its texts are written in
it. A Swede whose phone is set to English gets English, and the switch at the top
of the join page is one tap from Svenska; that choice then wins everywhere.
"""

import functools
import re

DEFAULT = "sv"
# A language tag's first part (lower case) -> the interface language that serves it.
SERVES = {"sv": "sv", "nb": "nb", "nn": "nb", "no": "nb", "en": "en"}
OURS = frozenset(SERVES.values())
# Longer headers are cut at the last whole entry before this length (as Django does).
HEADER_MAX = 500


def choose(picked: str | None, accept_language: str, workshop: str | None = None) -> str:
    """The page's language: the person's pick, else the phone's, else the
    workshop's, else Swedish (see the module's docstring for why)."""
    return (
        served(picked or "")
        or phones_language(accept_language)
        or served(workshop or "")
        or DEFAULT
    )


def served(tag: str) -> str | None:
    """Our language for one language tag ("nn-NO" -> "nb"), or None for none of ours."""
    return SERVES.get(re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0])


@functools.lru_cache(maxsize=512)
def phones_language(accept_language: str) -> str | None:
    """The first of our languages the header asks for, in its order of preference.

    A hall's phones send a handful of different headers, so the answers are kept.
    """
    for tag in preferred(accept_language):
        if language := served(tag):
            return language
    return None


def preferred(accept_language: str) -> list[str]:
    """The header's language tags, most wanted first; q=0 and malformed entries left out.

    "nn-NO, en;q=0.5, de;q=0.8" -> ["nn-NO", "de", "en"]. Equal weights keep the
    header's order.
    """
    header = accept_language
    if len(header) > HEADER_MAX:
        header = header[:HEADER_MAX].rpartition(",")[0]
    weighted = []
    for index, entry in enumerate(header.split(",")):
        tag, _, parameters = entry.partition(";")
        weight = _weight(parameters)
        tag = tag.strip()
        if tag and weight is not None and 0 < weight <= 1:
            weighted.append((-weight, index, tag))
    return [tag for _weight, _index, tag in sorted(weighted)]


def _weight(parameters: str) -> float | None:
    """The q of "q=0.8" (1 when there is none); None when it is not a number."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return None
    return 1.0
