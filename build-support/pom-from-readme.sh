#!/usr/bin/env bash
# Writes a user's project's pom.xml from its template, putting in the first Maven snippet README.md shows
# under a heading, where the template has its marker: the README's snippet is then exactly what the
# project builds with, and cannot rot.
#
#   build-support/pom-from-readme.sh HEADING PROJECT_DIR
#
# HEADING is the README line that starts the section (`## Getting started`); the template is
# PROJECT_DIR/pom.template.xml and its marker `<!-- README: <HEADING without the #s>, Maven -->`.
set -euo pipefail
cd "$(dirname "$0")/.."
heading="$1"
project="$2"
template="$project/pom.template.xml"
title="${heading#"${heading%%[!#]*}"}"
title="${title# }"
marker="<!-- README: $title, Maven -->"
grep -qF "$marker" "$template" || { echo "$template lost its marker $marker" >&2; exit 1; }
snippet=$(awk -v heading="$heading" '$0 == heading { on = 1 } on && /^```xml/ { inside = 1; next } inside && /^```/ { exit } inside { print }' README.md)
[ -n "$snippet" ] || { echo "README.md has no Maven snippet under '$heading'" >&2; exit 1; }
snippet_file=$(mktemp)
trap 'rm -f "$snippet_file"' EXIT
printf '%s\n' "$snippet" > "$snippet_file"
sed -e "\\|$marker|{r $snippet_file" -e 'd}' "$template" > "$project/pom.xml"
