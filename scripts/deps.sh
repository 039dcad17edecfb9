#!/usr/bin/env bash
# Checks every dependency concur needs and installs the missing ones from the
# distribution's packages. When it cannot install (not root, no sudo, unknown
# package manager) it prints the exact command to run and exits 69 (EX_UNAVAILABLE).
# Usage: scripts/deps.sh [--check]   (--check: report only, install nothing)
set -euo pipefail

usage() { echo "usage: scripts/deps.sh [--check]" >&2; exit 64; }
die() { echo "concur: deps: $*" >&2; exit 69; }

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) usage ;;
esac

# Each requirement: a probe, then the Debian and the Fedora package that satisfies it.
# Probes are cheap and need nothing that is not already being checked.
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pc() { have_cmd pkg-config && pkg-config --exists "$1"; }
have_header() { printf '#include <%s>\n' "$1" | ${CXX:-c++} -x c++ -fsyntax-only - >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }
have_py() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }

missing_apt=() missing_dnf=()
need() { # need WHAT APT_PKG DNF_PKG PROBE...
  local what=$1 apt=$2 dnf=$3; shift 3
  if ! "$@"; then
    echo "concur: deps: missing $what" >&2
    missing_apt+=("$apt"); missing_dnf+=("$dnf")
  fi
}

need cmake cmake cmake have_cmd cmake
need "C compiler" gcc gcc have_cmd cc
need "C++ compiler" g++ gcc-c++ have_cmd c++
need pkg-config pkg-config pkgconf-pkg-config have_cmd pkg-config
need git git git have_cmd git
need hwloc libhwloc-dev hwloc-devel have_pc hwloc
need jansson libjansson-dev jansson-devel have_pc jansson
need "Google Benchmark" libbenchmark-dev google-benchmark-devel have_header benchmark/benchmark.h
need gnuplot gnuplot-nox gnuplot have_cmd gnuplot
need cmocka libcmocka-dev libcmocka-devel have_pc cmocka
# Optional to the build (detected at configure time), installed here so that the io_uring
# poller is built and tested wherever the distribution has it.
need liburing liburing-dev liburing-devel have_pc liburing
# Likewise MPI for the mpi models: Open MPI's launcher and its C library.
need "Open MPI's mpiexec" openmpi-bin openmpi have_cmd mpiexec
need "Open MPI's library" libopenmpi-dev openmpi-devel have_pc ompi-c
# The end-to-end tests validate results against docs/result.schema.json with a
# real JSON Schema validator rather than a home-made subset.
need "python3 jsonschema (tests)" python3-jsonschema python3-jsonschema have_py jsonschema
# The fuzz targets run under libFuzzer, which comes with clang (its runtime a package of its own).
have_libfuzzer() {
  printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' |
    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1
}
need "clang (tests)" clang clang have_cmd clang
need "libFuzzer (tests)" libclang-rt-dev compiler-rt have_libfuzzer
# Results must stay readable by Google Benchmark's own compare.py (which needs scipy).
need "Google Benchmark's compare.py (tests)" libbenchmark-tools google-benchmark-devel have_file /usr/share/benchmark/compare.py
need "python3 scipy (tests)" python3-scipy python3-scipy have_py scipy
# The report page is checked in a real browser (the Page tests skip, saying so, without one).
need "chromium (tests)" chromium chromium have_cmd chromium
# make package builds a Debian package with CPack, whose dependencies dpkg-shlibdeps reads off the binaries.
need "dpkg-shlibdeps (make package)" dpkg-dev dpkg-dev have_cmd dpkg-shlibdeps
# The pool tests also run under valgrind, which must find no leak.
need "valgrind (tests)" valgrind valgrind have_cmd valgrind

if [ ${#missing_apt[@]} -eq 0 ]; then
  echo "concur: deps: all dependencies present" >&2
  exit 0
fi
[ $check_only -eq 1 ] && exit 1

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if have_cmd sudo && sudo -n true 2>/dev/null; then sudo="sudo"; fi
fi

if have_cmd apt-get; then
  cmd="apt-get update && apt-get install -y --no-install-recommends ${missing_apt[*]}"
  pkgs=("${missing_apt[@]}")
  install() { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; }
elif have_cmd dnf; then
  cmd="dnf install -y ${missing_dnf[*]}"
  pkgs=("${missing_dnf[@]}")
  install() { $sudo dnf install -y -q "${pkgs[@]}"; }
else
  die "no apt-get or dnf here; install these packages (Debian names): ${missing_apt[*]}"
fi

if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
  die "not root and no password-less sudo; run as root: $cmd"
fi
echo "concur: deps: installing: ${pkgs[*]}" >&2
install || die "installation failed; run as root: $cmd"
exec "$0" --check
