#!/usr/bin/env bash
# Builds examples/java-consumer-project, a Java team's project set up exactly as README.md "Getting started
# from Java" says: its pom.xml is the template with the README's Maven snippet put in, so the snippet cannot
# rot. Installs the kproducer artifacts first (tests skipped; not with KPRODUCER_INSTALLED=1), runs the project's JUnit tests against them,
# and prints what its test class path holds (how many jars, and whether Kotest or kotlin-reflect came along).
set -euo pipefail
cd "$(dirname "$0")/.."
project=examples/java-consumer-project
build-support/pom-from-readme.sh '### Getting started from Java' "$project"
classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
# .ci/run has installed them a step before (consumer-project.sh) and says so.
[ "${KPRODUCER_INSTALLED:-}" = 1 ] || ./mvnw -B -ntp -q -DskipTests -pl bom,dsl,testkit,spring-boot-starter,spring-boot-test -am install
./mvnw -B -ntp -f "$project/pom.xml" test
./mvnw -B -ntp -q -f "$project/pom.xml" dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
jars=$(tr ':' '\n' < "$classpath_file" | grep -c '\.jar$' || true)
kotest=$(tr ':' '\n' < "$classpath_file" | grep -c '/io/kotest/' || true)
reflect=$(tr ':' '\n' < "$classpath_file" | grep -c 'kotlin-reflect' || true)
echo "the Java project's test class path: $jars jars, of them $kotest Kotest jars and $reflect kotlin-reflect"
