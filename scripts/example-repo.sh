#!/usr/bin/env bash
# example-repo.sh DEST [NAME]
#
# Makes a real git checkout of a bundled example repository (default: rust-workspace; also
# python-monorepo) in DEST: clones fixtures/repos/NAME.bundle, checks out the bundle's HEAD
# (the feature branch), keeps a local branch for every branch of the bundle (so `main` works
# as --base), and copies the reports CI wrote (the untracked files of
# fixtures/repos/NAME/, which hold exactly HEAD plus the reports) into the checkout, where
# CI would have left them. Prints DEST's HEAD and the base to use.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DEST [rust-workspace|python-monorepo]" >&2
  exit 2
fi
dest=$1
name=${2:-rust-workspace}
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/fixtures/repos/$name
bundle=$root/fixtures/repos/$name.bundle
[ -f "$bundle" ] || { echo "no bundle $bundle" >&2; exit 2; }
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
  echo "$dest exists and is not empty" >&2
  exit 2
fi

git -c init.defaultBranch=main clone --quiet "$bundle" "$dest"
head=$(git -C "$dest" rev-parse --abbrev-ref HEAD)
# A local branch for every branch of the bundle (clone only makes the checked-out one).
git -C "$dest" for-each-ref --format='%(refname:strip=3)' refs/remotes/origin |
  while read -r b; do
    [ "$b" = HEAD ] || [ "$b" = "$head" ] || git -C "$dest" branch --quiet --track "$b" "origin/$b"
  done

# The reports: every file of the fixture directory that HEAD does not track.
(cd "$src" && find . -type f | sed 's|^\./||' | sort) > "$dest/.git/fixture-files"
git -C "$dest" ls-files | sort > "$dest/.git/tracked-files"
comm -23 "$dest/.git/fixture-files" "$dest/.git/tracked-files" | while read -r f; do
  mkdir -p "$dest/$(dirname "$f")"
  cp -p "$src/$f" "$dest/$f"
done
rm -f "$dest/.git/fixture-files" "$dest/.git/tracked-files"

echo "$dest: $name at $head ($(git -C "$dest" rev-parse --short HEAD)); base: main ($(git -C "$dest" rev-parse --short main))"
