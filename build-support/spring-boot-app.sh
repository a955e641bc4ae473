#!/usr/bin/env bash
# Builds examples/spring-boot-app, a Spring Boot 4 service set up exactly as README.md "Spring Boot" says: its
# pom.xml is the template with the README's Maven snippet put in (Boot's parent, the version lines,
# kproducer-bom, the starter and its test module), so the snippet cannot rot. Installs the kproducer artifacts
# first (tests skipped; not with KPRODUCER_INSTALLED=1), then runs the service's @SpringBootTest tests against
# them: a send over HTTP, a transaction, a broker fault through the proxy, meters, an observation and health.
#
#   build-support/spring-boot-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
project=examples/spring-boot-app
build-support/pom-from-readme.sh '## Spring Boot' "$project"
[ "${KPRODUCER_INSTALLED:-}" = 1 ] || ./mvnw -B -ntp -q -DskipTests -pl bom,dsl,testkit,spring-boot-starter,spring-boot-test -am install
./mvnw -B -ntp -f "$project/pom.xml" test
