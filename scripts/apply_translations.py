"""Fill msgstr in locale/id from a Python dict file {msgid: translation}. A maintainer's tool.

Usage: python scripts/apply_translations.py translations.py
Only empty entries are filled; existing translations are kept.
"""

import runpy
import sys
from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"


def main(path: str) -> None:
    table = runpy.run_path(path)["T"]
    catalog = polib.pofile(str(CATALOG))
    filled = 0
    for entry in catalog:
        if entry.msgid not in table or entry.translated():
            pass
        elif entry.msgid_plural:
            # Indonesian has one plural form.
            entry.msgstr_plural = {0: table[entry.msgid]}
            filled += 1
        else:
            entry.msgstr = table[entry.msgid]
            filled += 1
        if "fuzzy" in entry.flags and entry.msgid in table:
            entry.flags.remove("fuzzy")
            entry.msgstr = table[entry.msgid]
    catalog.save()
    missing = [e.msgid for e in catalog.untranslated_entries()]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print(f"  {msgid!r}")


if __name__ == "__main__":
    main(sys.argv[1])
