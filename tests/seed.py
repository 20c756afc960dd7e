"""Read the workshop's slides (a copy of shared/seeds/workshop-slides-sv.txt).

Tests compare the app's fixture and defaults with the slides themselves, so a
typo in either shows up as a failure instead of being copied into both.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

SLIDES = Path(__file__).parent / "data" / "workshop-slides-sv.txt"


@dataclass
class Slide:
    title: str
    number: int | None = None
    bullets: list[str] = field(default_factory=list)


def read_slides(path: Path = SLIDES) -> list[Slide]:
    """Each slide: a heading line (possibly wrapped) and "•" bullets (possibly wrapped)."""
    slides: list[Slide] = []
    parts: list[str] = []  # the text being collected: a title or the current bullet

    def flush():
        if not parts:
            return
        text = " ".join(parts)
        if slides[-1].title == "":
            slides[-1].title = text
        else:
            slides[-1].bullets.append(text)
        parts.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        numbered = re.match(r"^(\d+)\.\s+(.*)$", line)
        if line.startswith("•"):
            flush()
            parts.append(line.lstrip("• ").strip())
        elif numbered or not slides or (slides[-1].bullets and not parts):
            flush()
            slides.append(Slide(title="", number=int(numbered[1]) if numbered else None))
            parts.append(numbered[2] if numbered else line)
        else:
            parts.append(line)
    flush()
    return slides


def recommendations() -> list[Slide]:
    return [s for s in read_slides() if s.number is not None]


def discussion_slide() -> Slide:
    return next(s for s in read_slides() if s.number is None)
