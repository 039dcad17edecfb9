# What the helper scripts share: sourced, not run. Sets $concur to the built binary.
die() { echo "concur: ${0##*/}: $*" >&2; exit 1; }
cd "$(dirname "$0")/.."
concur=build/concur
[ -x "$concur" ] || die "build first: make"
