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

install_with_apt() {
    local sudo=()
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "${EUID:-$(id -u)}" -ne 0 ]; then
        # `sudo -n` never prompts: it fails at once when a password would be needed.
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
        sudo=(sudo -n)
    fi
    echo "Graphviz's 'dot' is missing: installing it with apt-get (package graphviz)..."
    export DEBIAN_FRONTEND=noninteractive
    # On a fresh machine the package lists are often empty, so the first install
    # fails; refresh the lists once and try again.
    "${sudo[@]}" apt-get install -y -q graphviz \
        || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q graphviz; }
}

if install_with_apt && command -v dot >/dev/null 2>&1; then
    exit 0
fi

echo "minigrad needs Graphviz's 'dot' program, which is not installed: install it with" \
     "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS)" \
     "or 'conda install -c conda-forge graphviz' (conda), then run make again." >&2
exit 1
