"""Lesson Markdown to sanitised HTML."""

import nh3
from markdown_it import MarkdownIt

# Raw HTML in a lesson is escaped by the parser and anything that slips through is stripped
# by nh3, so a content author (or a compromised content file) cannot inject script.
_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
_ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "br",
}  # fmt: skip


def render(markdown: str) -> str:
    html = _PARSER.render(markdown)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"style"}, "td": {"style"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def headings(markdown: str, level: int = 2) -> tuple[str, ...]:
    """The text of every heading of `level` in the document, in order."""
    tokens = _PARSER.parse(markdown)
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == f"h{level}":
            found.append(tokens[i + 1].content.strip())
    return tuple(found)


def has_heading(markdown: str, level: int) -> bool:
    return bool(headings(markdown, level))
