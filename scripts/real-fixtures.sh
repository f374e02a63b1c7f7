#!/usr/bin/env bash
# real-fixtures.sh [--install] [PRODUCER...]
#
# Regenerates fixtures/real/PRODUCER/ (reports/ and console.txt) by running the real tool on the
# folder's project/, through that folder's regen.sh. With no PRODUCER, every folder that has a
# regen.sh. expected.json is NOT rewritten: it holds the totals the producer printed, copied by
# hand from console.txt, so after a regeneration compare the new console.txt with it (the
# scratch paths and versions are pinned, timestamps and durations are not).
#
# --install first installs what the producers need, at the versions the fixtures were made with:
#   npm packages come from each project's package-lock.json (npm ci, inside regen.sh);
#   PyPI: a venv in $TMPDIR/testcert-real-venv with the pinned packages below;
#   Debian: golang-go gotestsum lcov ant ant-optional junit4 libjacoco-java testng maven
#           libsurefire-java libmaven-compiler-plugin-java libmaven-resources-plugin-java
#           ruby-rspec ruby-rspec-retry ruby-rspec-junit-formatter llvm-22 (apt-get; needs root);
#   crates: cargo-llvm-cov 0.9.1 (cargo install --locked; it uses Debian's llvm-22 tools, whose
#           LLVM matches rustc 1.95's); cargo-nextest must already be on PATH (it is on this
#           project's machines).
#
# Each regen.sh works in $REAL_FIXTURES_WORK/PRODUCER (default /tmp/testcert-real/PRODUCER): the
# reports name files there, and a fixed folder keeps those paths the same on every run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
real=$root/fixtures/real
venv=${TMPDIR:-/tmp}/testcert-real-venv
pypi=(pytest==9.2.0 pytest-xdist==3.8.0 pytest-rerunfailures==16.7 pytest-cov==7.1.0
  coverage==7.17.5 unittest-xml-reporting==4.0.0 gcovr==8.8)
debian=(golang-go gotestsum lcov ant ant-optional junit4 libjacoco-java testng maven
  libsurefire-java libmaven-compiler-plugin-java libmaven-resources-plugin-java ruby-rspec
  ruby-rspec-retry ruby-rspec-junit-formatter llvm-22)

install=0
if [ "${1:-}" = --install ]; then
  install=1
  shift
fi

if [ $install = 1 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${debian[@]}"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q "${pypi[@]}"
  command -v cargo-llvm-cov >/dev/null || cargo install --locked cargo-llvm-cov@0.9.1
fi

names=("$@")
if [ ${#names[@]} = 0 ]; then
  for d in "$real"/*/; do
    [ -x "$d/regen.sh" ] && names+=("$(basename "$d")")
  done
fi

# The PyPI producers run from the venv when it exists, else from the python3 on PATH.
py=python3
[ -x "$venv/bin/python" ] && py=$venv/bin/python
gcovr=gcovr
[ -x "$venv/bin/gcovr" ] && gcovr=$venv/bin/gcovr

status=0
for name in "${names[@]}"; do
  script=$real/$name/regen.sh
  if [ ! -x "$script" ]; then
    echo "real-fixtures: no producer folder fixtures/real/$name (no executable regen.sh)" >&2
    status=2
    continue
  fi
  echo "real-fixtures: $name"
  if ! PY=$py GCOVR=$gcovr "$script"; then
    echo "real-fixtures: $name: regen.sh failed" >&2
    status=1
  fi
done
exit $status
