"""Test helper: which inputs of a rendered page have no accessible name (what axe's `label` and
`select-name` rules report), without a browser."""

from __future__ import annotations

from html.parser import HTMLParser

CONTROLS = {"input", "select", "textarea"}
UNNAMED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in CONTROLS and attrs.get("type", "text") not in UNNAMED_TYPES:
            self.controls.append({**attrs, "_in_label": self.open_labels > 0})

    def handle_endtag(self, tag):
        if tag == "label" and self.open_labels:
            self.open_labels -= 1


def unlabelled_controls(html: str) -> list[str]:
    """Names of the form controls of `html` that have neither a label nor an aria name.
    Empty inline templates (`__prefix__`) count too: the browser clones them."""
    parser = _Controls()
    parser.feed(html)
    return [
        control.get("name") or control.get("id") or "?"
        for control in parser.controls
        if not (
            control["_in_label"]
            or control.get("aria-label")
            or control.get("aria-labelledby")
            or control.get("title")
            or (control.get("id") and control["id"] in parser.label_for)
        )
    ]
