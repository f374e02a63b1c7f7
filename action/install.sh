#!/usr/bin/env bash
# Finds, downloads or builds the testcert the Action runs.
#
#   install.sh prepare   decides, in order:
#                        1. a prebuilt binary (input testcert-bin or env TESTCERT_BIN) whose
#                           `--version` is the action's (Cargo.toml);
#                        2. the release binary of the action's own version for this runner
#                           (testcert-<version>-<target>[.exe] from <release-url>/v<version>/;
#                           on Linux the glibc build, else the static musl one when the glibc
#                           one is missing or does not run), used only when its SHA-256
#                           matches: the checksum listed in the action's own action/SHA256SUMS
#                           (pinned with the action's commit) when it lists the file, else the
#                           release's SHA256SUMS;
#                        3. a build from the action's source, cached under a key made of the
#                           version and a hash of the sources.
#                        Writes build, bin (and for a build: root, key) to $GITHUB_OUTPUT.
#   install.sh build     cargo install of the action's source into $TESTCERT_ROOT with the
#                        action's own toolchain selection: TESTCERT_TOOLCHAIN (default
#                        stable) through RUSTUP_TOOLCHAIN, from a neutral directory, without
#                        the caller's RUSTFLAGS or target settings — the caller's
#                        rust-toolchain.toml (a repository pinned to an old Rust) does not apply.
#
# The release URL: input release-url (TESTCERT_RELEASE_URL), else the GitHub releases of the
# repository the action was fetched from (GITHUB_ACTION_PATH is
# …/_actions/OWNER/REPO/REF); none for a local action (`uses: ./`), which is built.
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/Cargo.toml" | head -n 1)"
out="${GITHUB_OUTPUT:-/dev/stdout}"

# The Rust targets of the release binaries for this runner, best first, or nothing. On Linux
# the glibc build (built on Ubuntu 22.04: glibc 2.35 or newer) is 1.2-2x as fast as the
# static musl one, which runs anywhere else (an older glibc, Alpine, a scratch container).
targets() {
  local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-gnu x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-gnu aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64 | Darwin/aarch64) echo aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) ;;
  esac
}

release_url() {
  if [[ -n "${TESTCERT_RELEASE_URL:-}" ]]; then
    echo "${TESTCERT_RELEASE_URL%/}"
    return
  fi
  local path="${src//\\//}"
  if [[ "$path" == */_actions/*/*/* ]]; then
    local rest="${path#*/_actions/}" owner repo
    owner="${rest%%/*}"
    rest="${rest#*/}"
    repo="${rest%%/*}"
    echo "${GITHUB_SERVER_URL:-https://github.com}/$owner/$repo/releases/download"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

fetch() {
  curl --fail --silent --show-error --location --retry 2 --connect-timeout 10 --max-time 300 \
    --output "$2" "$1"
}

# `fetch`, saying on stderr what could not be downloaded and why.
fetch_or_say() {
  local err
  if ! err="$(fetch "$1" "$2" 2>&1)"; then
    echo "cannot download $1 (${err:0:300})" >&2
    return 1
  fi
}

# The expected checksum of `$1` from a SHA256SUMS file `$2` (`<hex>  <name>` lines).
listed() {
  awk -v f="$1" '{ n = $2; sub(/^\*/, "", n); if (n == f) { print tolower($1); exit } }' "$2"
}

# Tries the release binaries for this runner in order; prints the path of the first one that
# is verified and runs, says why not on stderr. A checksum that does not match stops the
# search: that is a release to distrust, not a binary to replace with another.
download() {
  local url targets target asset dir tmp expected actual found said
  url="$(release_url)"
  [[ -n "$url" ]] || { echo "a local action: no release to download" >&2; return 1; }
  targets="$(targets)"
  [[ -n "$targets" ]] || { echo "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}" >&2; return 1; }
  tmp="$(mktemp -d)"
  for target in $targets; do
    asset="testcert-$version-$target"
    [[ "$target" == *windows* ]] && asset="$asset.exe"
    fetch_or_say "$url/v$version/$asset" "$tmp/$asset" || continue
    expected=""
    if [[ -f "$src/action/SHA256SUMS" ]]; then
      expected="$(listed "$asset" "$src/action/SHA256SUMS")"
    fi
    if [[ -z "$expected" ]]; then
      # One download of the release's list for every target tried.
      if [[ ! -f "$tmp/SHA256SUMS" ]] && ! fetch_or_say "$url/v$version/SHA256SUMS" "$tmp/SHA256SUMS"; then
        rm -rf "$tmp"
        return 1
      fi
      expected="$(listed "$asset" "$tmp/SHA256SUMS")"
    fi
    actual="$(sha256 "$tmp/$asset")"
    if [[ -z "$expected" || "$expected" != "$actual" ]]; then
      echo "::warning title=testcert::refused $asset: its SHA-256 is $actual, the checksum listed is '${expected:-none}'" >&2
      echo "the checksum of $asset does not match" >&2
      rm -rf "$tmp"
      return 1
    fi
    chmod +x "$tmp/$asset"
    found="$("$tmp/$asset" --version 2>"$tmp/err" || true)"
    if [[ "$found" != "testcert $version" ]]; then
      # A glibc build on a system with an older glibc, or none, fails here.
      said=""
      [[ -s "$tmp/err" ]] && said=" ($(head -c 300 "$tmp/err" | tr '\n' ' ' | sed 's/ *$//'))"
      echo "$asset says '${found:-nothing}'$said, not testcert $version" >&2
      rm -f "$tmp/$asset"
      continue
    fi
    dir="${RUNNER_TOOL_CACHE:-$HOME/.cache}/testcert-action/release-$version-$target"
    mkdir -p "$dir/bin"
    local bin="$dir/bin/testcert"
    [[ "$target" == *windows* ]] && bin="$bin.exe"
    mv -f "$tmp/$asset" "$bin"
    rm -rf "$tmp"
    echo "testcert: downloaded $asset ($actual)" >&2
    echo "$bin"
    return 0
  done
  rm -rf "$tmp"
  return 1
}

case "${1:-}" in
  prepare)
    prebuilt="${INPUT_TESTCERT_BIN:-${TESTCERT_BIN:-}}"
    if [[ -n "$prebuilt" ]]; then
      found="$("$prebuilt" --version 2>/dev/null || true)"
      if [[ "$found" == "testcert $version" ]]; then
        {
          echo "build=false"
          echo "bin=$prebuilt"
        } >>"$out"
        echo "testcert: using the prebuilt $prebuilt ($found)"
        exit 0
      fi
      echo "::warning title=testcert::$prebuilt is '${found:-not runnable}', not testcert $version: looking for the release binary"
    fi
    if [[ "${INPUT_DOWNLOAD:-true}" != "false" ]]; then
      log="$(mktemp)"
      if bin="$(download 2>"$log")"; then
        cat "$log"
        rm -f "$log"
        {
          echo "build=false"
          echo "bin=$bin"
        } >>"$out"
        exit 0
      fi
      grep '^::warning' "$log" || true
      # Every reason, one per target tried.
      why="$(grep -v '^::' "$log" | awk '{ printf "%s%s", (NR > 1 ? "; " : ""), $0 }')"
      echo "::notice title=testcert::no release binary ($why): building testcert $version from the action's source"
      rm -f "$log"
    fi
    # sha256sum on Linux and Windows, shasum on macOS.
    sum=(sha256sum)
    command -v sha256sum >/dev/null 2>&1 || sum=(shasum -a 256)
    hash="$(cd "$src" && find Cargo.toml Cargo.lock src -type f -print0 | LC_ALL=C sort -z \
      | xargs -0 "${sum[@]}" | "${sum[@]}" | cut -c1-16)"
    key="testcert-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$version-$hash"
    root="${RUNNER_TOOL_CACHE:-$HOME/.cache}/testcert-action/$key"
    {
      echo "build=true"
      echo "key=$key"
      echo "root=$root"
      echo "bin=$root/bin/testcert"
    } >>"$out"
    ;;
  build)
    root="${TESTCERT_ROOT:?TESTCERT_ROOT is not set}"
    toolchain="${TESTCERT_TOOLCHAIN:-stable}"
    # The caller's build settings are for the caller's code, not for this tool.
    unset RUSTFLAGS RUSTDOCFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS \
      CARGO_BUILD_TARGET CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR RUSTC_WRAPPER \
      CARGO_BUILD_RUSTC_WRAPPER CARGO_PROFILE_RELEASE_DEBUG CARGO_INCREMENTAL
    if command -v rustup >/dev/null 2>&1; then
      export RUSTUP_TOOLCHAIN="$toolchain"
      rustup toolchain install "$toolchain" --profile minimal --no-self-update >&2
    fi
    # From a directory of our own: no rust-toolchain.toml or .cargo/config.toml of the
    # caller's repository applies.
    work="$root/build"
    mkdir -p "$work"
    cd "$work"
    CARGO_TARGET_DIR="$work/target" cargo install --locked --path "$src" --root "$root"
    rm -rf "$work"
    ;;
  *)
    echo "usage: install.sh prepare|build" >&2
    exit 2
    ;;
esac
