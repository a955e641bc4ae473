#!/usr/bin/env bash
# Builds the Maven Central bundle of a release in a clean clone of the committed HEAD, exactly as a
# release does (the `release` profile: sources, Dokka javadoc, signatures, checksums, the portal's layout),
# signed with a throwaway key and never uploaded; then checks it (build-support/release/CheckBundle.java),
# verifies every signature, and resolves the published modules from the bundle and Maven Central alone.
#
#   build-support/release-bundle.sh [VERSION]    (default: the project version without -SNAPSHOT)
#
# RELEASING.md has the real release steps. Run by .ci/run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/kproducer-release.XXXXXX")"
trap 'echo "release check: work in $work"' EXIT
git clone -q "$repo" "$work/src"
cd "$work/src"
snapshot="$(sed -n 's:^  <version>\(.*-SNAPSHOT\)</version>$:\1:p' pom.xml | head -n1)"
[[ -n "$snapshot" ]] || { echo "release check: no -SNAPSHOT project version in pom.xml" >&2; exit 2; }
version="${1:-${snapshot%-SNAPSHOT}}"
# What a release commit does: one version everywhere.
git ls-files '*pom.xml' | xargs sed -i "s/${snapshot//./\\.}/$version/g"

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase "" --quick-gen-key "kproducer release check <release-check@kproducer.invalid>" ed25519 sign 1d 2>"$work/gpg.log" \
  || { cat "$work/gpg.log"; echo "release check: could not generate the throwaway key" >&2; exit 1; }
key="$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr/ { print $10; exit }')"

./mvnw -B -ntp -Prelease -DskipTests -Dcentral.skipUpload=true -Dgpg.keyname="$key" -pl bom,dsl,testkit,spring-boot-starter,spring-boot-test -am deploy >"$work/build.log" 2>&1 \
  || { tail -n 60 "$work/build.log"; echo "release check: the release build failed (log: $work/build.log)" >&2; exit 1; }
# The plugin writes the bundle under the first project of the reactor.
bundle="$(find "$work/src" -path '*/target/central-publishing/central-bundle.zip' | head -n1)"
[[ -f "$bundle" ]] || { echo "release check: the build wrote no central-bundle.zip (log: $work/build.log)" >&2; exit 1; }
mkdir "$work/bundle"
(cd "$work/bundle" && jar xf "$bundle")

java "$repo/build-support/release/CheckBundle.java" "$work/bundle" "$version"
signatures=0
while IFS= read -r signature; do
  gpg --batch --quiet --verify "$signature" "${signature%.asc}" 2>/dev/null \
    || { echo "release check: bad signature $signature" >&2; exit 1; }
  signatures=$((signatures + 1))
done < <(find "$work/bundle" -name '*.asc')
echo "release check: $signatures signatures verified"

# A user's resolution: Maven Central plus the bundle, and nothing we installed. The local repository starts
# as a copy of ours without io.github.kproducer, so that Central's artifacts need not be fetched again.
# It runs outside the project (a directory with only the wrapper), so that no module of the reactor stands in.
cp -a "${HOME}/.m2/repository" "$work/m2"
mkdir "$work/user"
cp -r .mvn mvnw "$work/user/"
cd "$work/user"
for artifact in kproducer-bom:$version:pom kproducer-dsl:$version kproducer-testkit:$version kproducer-spring-boot-starter:$version kproducer-spring-boot-test:$version; do
  rm -rf "$work/m2/io/github/kproducer"
  ./mvnw -B -ntp -q -Dmaven.repo.local="$work/m2" dependency:get -Dtransitive=true \
    -Dartifact="io.github.kproducer:$artifact" -DremoteRepositories="bundle::default::file://$work/bundle" \
    || { echo "release check: io.github.kproducer:$artifact does not resolve from the bundle and Maven Central" >&2; exit 1; }
done
echo "release check: the bundle of $version is complete, signed, and resolves from Maven Central"
trap - EXIT
rm -rf "$work"
