"""What a person sees in an HTML report: its visible text and its section headings, and
the checks every report must pass (results first, no ``nan``, no snake_case keys, no
unrounded numbers)."""

import html
import re

SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+\b(?![\w/]*\.[a-z]{2,4}\b)")
# more than 3 significant figures after a decimal point: 4471182.4, 7.6842, 0.012345
UNROUNDED = re.compile(r"\d{4,}\.\d|\b[1-9]\d*\.\d{3,}|\b0\.0*[1-9]\d{3,}")


def visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def headings(page: str, level: int = 2) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf"<h{level}>(.*?)</h{level}>", page)]


def assert_reads_well(page: str, first: str, last: str = "Assumptions and caveats") -> None:
    """Results first, caveats last; no nan, no snake_case key, no unrounded number."""
    h = headings(page)
    assert h[0] == first and h[-1] == last, h
    text = visible_text(page)
    assert not re.search(r"\bnan\b", text, flags=re.I), "a nan in the report"
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert not UNROUNDED.findall(text), UNROUNDED.findall(text)[:5]
