#!/usr/bin/env bash
# regen-fixture-repos.sh [rust-workspace] [python-monorepo]
#
# Rewrites the bundled example repositories' working trees, fixtures/repos/NAME/, from their
# bundles (fixtures/repos/NAME.bundle: the history, the source of truth), and runs the real
# tools in them so that every report is written by the tool itself, from the HEAD code:
#
#   rust-workspace   cargo-nextest (JUnit, retries) + cargo-llvm-cov (LCOV): all tests, the
#                    unit tests alone (small), the integration tests alone (medium)
#   python-monorepo  pytest (JUnit xunit2) + coverage.py via pytest-cov (Cobertura XML and
#                    coverage.py JSON): all tests, and the unit tests alone (small)
#
# Needs: cargo, cargo-nextest, cargo-llvm-cov (+ rustup component llvm-tools-preview);
# python3 (a venv with pinned pytest/coverage/pytest-cov is made in $TMPDIR unless $PYTHON
# names an interpreter that has them). Paths inside the reports are absolute paths of this
# checkout, as the tools write them.
#
# The fixture .gitignore files ignore target/, coverage/ and reports/, as real projects do:
# the first commit of the reports in testcert's repository used `git add -f`; after that
# they are tracked and a regeneration shows up in `git status`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
repos=$root/fixtures/repos
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(rust-workspace python-monorepo)

# Replaces fixtures/repos/NAME/ by the bundle's HEAD tree.
checkout_bundle() {
  local name=$1 tmp
  tmp=$(mktemp -d)
  git clone --quiet "$repos/$name.bundle" "$tmp/clone"
  rm -rf "${repos:?}/$name"
  mkdir -p "$repos/$name"
  git -C "$tmp/clone" archive HEAD | tar -x -C "$repos/$name"
  echo "== $name: $(git -C "$tmp/clone" log -1 --format='%h %s')"
  rm -rf "$tmp"
}

rust_workspace() {
  checkout_bundle rust-workspace
  cd "$repos/rust-workspace"
  # The same three runs as the example's .github/workflows/ci.yml. The unit and integration
  # runs use the default profile (no JUnit); the last one is the CI profile: retries and
  # target/nextest/ci/junit.xml. kv-util has a failing test: --ignore-run-fail still writes
  # the coverage, and the run's failure is expected.
  mkdir -p coverage
  cargo llvm-cov nextest --workspace --lib --bins \
    --lcov --output-path coverage/unit.lcov --ignore-run-fail
  cargo llvm-cov nextest --workspace --test '*' \
    --lcov --output-path coverage/integration.lcov --ignore-run-fail
  cargo llvm-cov nextest --workspace --profile ci \
    --lcov --output-path coverage/lcov.info --ignore-run-fail
  # Keep the JUnit report, drop the build.
  mv target/nextest/ci/junit.xml junit.xml.keep
  rm -rf target
  mkdir -p target/nextest/ci
  mv junit.xml.keep target/nextest/ci/junit.xml
  cd "$root"
}

python_env() {
  if [ -n "${PYTHON:-}" ]; then
    echo "$PYTHON"
    return
  fi
  local venv=${TMPDIR:-/tmp}/testcert-fixture-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pytest==9.2.0 coverage==7.17.3 pytest-cov==7.1.0 >&2
  fi
  echo "$venv/bin/python"
}

python_monorepo() {
  local py
  py=$(python_env)
  checkout_bundle python-monorepo
  for pkg in money invoices notify; do
    cd "$repos/python-monorepo/packages/$pkg"
    # The same commands as the example's .gitlab-ci.yml (notify has no unit/ directory, so
    # no small-test run). Failing tests are expected in invoices (one, quarantined).
    if [ -d tests/unit ]; then
      "$py" -m pytest tests/unit -p no:cacheprovider --cov --cov-report=xml:reports/coverage-unit.xml || true
    fi
    "$py" -m pytest tests -p no:cacheprovider --junitxml=reports/junit.xml \
      --cov --cov-report=xml:reports/coverage.xml --cov-report=json:reports/coverage.json || true
    rm -f .coverage
    find . -name __pycache__ -prune -exec rm -rf {} +
  done
  cd "$root"
}

for name in "${names[@]}"; do
  case $name in
    rust-workspace) rust_workspace ;;
    python-monorepo) python_monorepo ;;
    *) echo "unknown example $name" >&2; exit 2 ;;
  esac
done
