#!/usr/bin/env bash
# Finds or builds the testcert the Action runs.
#
#   install.sh prepare   decides: a prebuilt binary (input testcert-bin or env TESTCERT_BIN)
#                        whose version matches the action's Cargo.toml, else a build from
#                        the action's source, cached under a key made of the version and a
#                        hash of the sources (the action is pinned by commit SHA, so the
#                        sources are that commit's). Writes build, bin, root, key to
#                        $GITHUB_OUTPUT.
#   install.sh build     cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$TESTCERT_ROOT"
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/Cargo.toml" | head -n 1)"

case "${1:-}" in
  prepare)
    prebuilt="${INPUT_TESTCERT_BIN:-${TESTCERT_BIN:-}}"
    if [[ -n "$prebuilt" ]]; then
      found="$("$prebuilt" --version 2>/dev/null || true)"
      if [[ "$found" == "testcert $version" ]]; then
        {
          echo "build=false"
          echo "bin=$prebuilt"
        } >>"$GITHUB_OUTPUT"
        echo "testcert: using the prebuilt $prebuilt ($found)"
        exit 0
      fi
      echo "::warning title=testcert::$prebuilt is '${found:-not runnable}', not testcert $version: building from the action's source"
    fi
    hash="$(cd "$src" && find Cargo.toml Cargo.lock src -type f -print0 | LC_ALL=C sort -z \
      | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    key="testcert-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$version-$hash"
    root="${RUNNER_TOOL_CACHE:-$HOME/.cache}/testcert-action/$key"
    {
      echo "build=true"
      echo "key=$key"
      echo "root=$root"
      echo "bin=$root/bin/testcert"
    } >>"$GITHUB_OUTPUT"
    ;;
  build)
    root="${TESTCERT_ROOT:?TESTCERT_ROOT is not set}"
    cargo install --locked --path "$src" --root "$root"
    ;;
  *)
    echo "usage: install.sh prepare|build" >&2
    exit 2
    ;;
esac
