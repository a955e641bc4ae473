#!/usr/bin/env bash
# Builds examples/consumer-project, a user's project set up exactly as README.md "Getting started"
# says: its pom.xml is the template with the README's Maven snippet put in, so the snippet cannot rot.
# Installs the kproducer artifacts to the local repository first (tests skipped). Then runs the
# project's spec against the installed kproducer-bom, kproducer-dsl and kproducer-testkit, and checks
# that the BOM gives one kotlinx-coroutines version.
set -euo pipefail
cd "$(dirname "$0")/.."
project=examples/consumer-project
build-support/pom-from-readme.sh '## Getting started' "$project"
./mvnw -B -ntp -q -DskipTests -pl bom,dsl,testkit,spring-boot-starter,spring-boot-test -am install
./mvnw -B -ntp -f "$project/pom.xml" test
versions=$(./mvnw -B -ntp -q -f "$project/pom.xml" dependency:list -DincludeGroupIds=org.jetbrains.kotlinx -DoutputFile=/dev/stdout \
  | grep -o 'kotlinx-coroutines-[a-z0-9-]*:jar:[0-9.]*' | sed 's/.*:jar://' | sort -u)
echo "kotlinx-coroutines versions on the consumer's class path: $versions"
[ "$(echo "$versions" | wc -l)" -eq 1 ] || { echo "the BOM did not settle kotlinx-coroutines on one version" >&2; exit 1; }
