#!/usr/bin/env bash
# Make sure Graphviz's `dot` program is on PATH: minigrad.viz renders every graph
# picture of the course with it (the `graphviz` Python package is only a wrapper).
#
# When `dot` is missing we install it with apt-get if we can do so without asking
# for a password (running as root, or passwordless sudo). Otherwise we print one
# line saying how to install it and fail, so `make lab` / `make test` stop before
# a learner meets a confusing "ExecutableNotFound" deep inside a notebook.
set -u

if command -v dot >/dev/null 2>&1; then
    exit 0
fi

here=${BASH_SOURCE[0]%/*}  # (without dirname: the tests run this with an empty PATH)
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
. "$here/apt_install.sh"

if apt_install graphviz "Graphviz's 'dot'" && command -v dot >/dev/null 2>&1; then
    exit 0
fi

echo "minigrad needs Graphviz's 'dot' program, which is not installed: install it with" \
     "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS)" \
     "or 'conda install -c conda-forge graphviz' (conda), then run make again." >&2
exit 1
