#!/usr/bin/env bash
# Resolve a merge conflict in the Indonesian catalog: keep every translation from both
# sides (ours first), re-extract the messages and recompile. Run during a conflicted merge.
set -euo pipefail
cd "$(dirname "$0")/.."
po=locale/id/LC_MESSAGES/django.po
tmp=$(mktemp -d)
git show ":2:$po" > "$tmp/ours.po"
git show ":3:$po" > "$tmp/theirs.po"
msgcat --use-first "$tmp/ours.po" "$tmp/theirs.po" -o "$po"
make messages >/dev/null
git add "$po" "${po%.po}.mo"
rm -rf "$tmp"
