# Sourced by setup/ensure_*.sh: install one Debian package with apt-get, but only when that
# needs no password (running as root, or passwordless sudo); return 1 otherwise, so that the
# caller can print how to install it by hand.
#   apt_install PACKAGE "what it is, for the message"
apt_install() {
    local package=$1 what=$2 sudo=()
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "${EUID:-$(id -u)}" -ne 0 ]; then
        # `sudo -n` never prompts: it fails at once when a password would be needed.
        command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
        sudo=(sudo -n)
    fi
    echo "$what is missing: installing it with apt-get (package $package)..."
    export DEBIAN_FRONTEND=noninteractive
    # On a fresh machine the package lists are often empty, so the first install fails;
    # refresh the lists once and try again.
    "${sudo[@]}" apt-get install -y -q "$package" \
        || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "$package"; }
}
