#!/usr/bin/env bash
# Builds examples/consumer-project, a user's project set up exactly as README.md "Getting started"
# says: its pom.xml is the template with the README's Maven snippet put in, so the snippet cannot rot.
# Installs the kproducer artifacts to the local repository first (tests skipped). Then runs the
# project's spec against the installed kproducer-bom, kproducer-dsl and kproducer-testkit, and checks
# that the BOM gives one kotlinx-coroutines version.
set -euo pipefail
cd "$(dirname "$0")/.."
project=examples/consumer-project
template="$project/pom.template.xml"
marker='<!-- README: Getting started, Maven -->'
grep -qF "$marker" "$template" || { echo "$template lost its marker" >&2; exit 1; }
# The first xml block after the heading "## Getting started" in README.md.
snippet=$(awk '/^## Getting started/ { on = 1 } on && /^```xml/ { inside = 1; next } inside && /^```/ { exit } inside { print }' README.md)
[ -n "$snippet" ] || { echo "README.md has no Maven snippet under Getting started" >&2; exit 1; }
snippet_file=$(mktemp)
trap 'rm -f "$snippet_file"' EXIT
printf '%s\n' "$snippet" > "$snippet_file"
sed -e "/README: Getting started, Maven/{r $snippet_file" -e 'd}' "$template" > "$project/pom.xml"
./mvnw -B -ntp -q -DskipTests -pl bom,dsl,testkit -am install
./mvnw -B -ntp -f "$project/pom.xml" test
versions=$(./mvnw -B -ntp -q -f "$project/pom.xml" dependency:list -DincludeGroupIds=org.jetbrains.kotlinx -DoutputFile=/dev/stdout \
  | grep -o 'kotlinx-coroutines-[a-z0-9-]*:jar:[0-9.]*' | sed 's/.*:jar://' | sort -u)
echo "kotlinx-coroutines versions on the consumer's class path: $versions"
[ "$(echo "$versions" | wc -l)" -eq 1 ] || { echo "the BOM did not settle kotlinx-coroutines on one version" >&2; exit 1; }
