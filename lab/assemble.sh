#!/usr/bin/env bash
# Build the Hornet series as commits on top of hornet-base, as described by
# patches/manifest (MANIFEST=... overrides), without touching any work tree;
# point branch `hornet` at the result, then check it out in $HORNET_CACHE/linux
# rewriting only the files whose content changed (keeps kernel builds incremental).
set -euo pipefail
. "$(dirname "$0")/common.sh"

MANIFEST=${MANIFEST:-$REPO/patches/manifest}
[ -f "$MANIFEST" ] || die "assemble: manifest $MANIFEST not found"
git -C "$LINUX" rev-parse -q --verify refs/tags/hornet-base >/dev/null || die "assemble: no hornet-base (make base)"
cd "$LINUX"
use_git_identity
# Fixed dates: unchanged inputs give identical commit ids.
export GIT_AUTHOR_DATE="2026-01-01T00:00:00+0000" GIT_COMMITTER_DATE="2026-01-01T00:00:00+0000"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
git read-tree hornet-base

parent=$(git rev-parse hornet-base) slug="" msg="" n=0
finish_commit() {
	[ -n "$slug" ] || return 0
	[ -n "$msg" ] || die "assemble: commit $slug has no msg line in $MANIFEST"
	# Every commit is signed off by the identity that assembles it.
	ident=$(git var GIT_COMMITTER_IDENT | sed 's/>.*/>/')
	git interpret-trailers --if-exists doNothing --trailer "Signed-off-by: $ident" \
		< "$REPO/$msg" > "$tmp/msg"
	parent=$(git commit-tree "$(git write-tree)" -p "$parent" -F "$tmp/msg")
	n=$((n + 1))
	say "assemble: [$n] $slug $(git log -1 --format='%h %s' "$parent")"
}
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%%#*}
	read -r kw arg rest <<<"$line" || true
	[ -n "${kw:-}" ] || continue
	[ -z "${rest:-}" ] || die "assemble: $MANIFEST: unexpected text: $line"
	[ "$kw" = commit ] || [ -n "$slug" ] || die "assemble: $MANIFEST: '$kw' before the first commit"
	case $kw in
	commit) finish_commit; slug=$arg msg="" ;;
	msg)  [ -s "$REPO/$arg" ] || die "assemble: message file $arg missing or empty"; msg=$arg ;;
	diff) [ -f "$REPO/$arg" ] || die "assemble: diff $arg missing"
	      git apply --cached --whitespace=nowarn "$REPO/$arg" ||
		die "assemble: $arg does not apply (commit $slug)" ;;
	unapply) [ -f "$REPO/$arg" ] || die "assemble: diff $arg missing"
	      # A repo file holds its final content; a later commit's diff adds
	      # part of it, so take that part out again here.
	      git apply -R --cached --whitespace=nowarn "$REPO/$arg" ||
		die "assemble: $arg does not unapply (commit $slug)" ;;
	file) [ -f "$REPO/$arg" ] || die "assemble: file $arg listed in $MANIFEST is missing"
	      mode=100644; [ -x "$REPO/$arg" ] && mode=100755
	      git update-index --add --cacheinfo "$mode,$(git hash-object -w "$REPO/$arg"),$arg" ;;
	*) die "assemble: $MANIFEST: unknown keyword '$kw'" ;;
	esac
done < "$MANIFEST"
finish_commit

# Every Hornet file of the repo must be in the series, with the same content
# (as a "file" line or through a diff that is up to date).
bad=""
while IFS= read -r f; do
	want=$(git hash-object "$REPO/$f")
	have=$(git rev-parse -q --verify "$parent:$f" 2>/dev/null || true)
	[ "$want" = "$have" ] || bad+=" $f${have:+ (differs: stale diff?)}"
done < <(git -C "$REPO" ls-files -co --exclude-standard -- security/hornet scripts/hornet \
		tools/testing/selftests/hornet Documentation/admin-guide/LSM/Hornet.rst \
		Documentation/security/hornet.rst)
[ -z "$bad" ] || die "assemble: repo files missing from the series ($MANIFEST):$bad"

git update-ref refs/heads/hornet "$parent"
unset GIT_INDEX_FILE
git update-index -q --refresh >/dev/null || true
git checkout -q -f --detach hornet
say "assemble: branch hornet = $(git rev-parse --short hornet) ($n commits), checked out in $LINUX"
