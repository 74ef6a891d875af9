#!/usr/bin/env bash
# Make sure bubblewrap's `bwrap` is installed and can create a sandbox: `make grade` runs
# every student's notebook inside it (minigrad_course/grading/sandbox.py says why).
#
# Like setup/ensure_dot.sh: when bwrap is missing we install it with apt-get if we can do
# so without asking for a password (running as root, or passwordless sudo); otherwise we
# print one line saying how to get it and fail, so that `make grade` stops before grading
# anybody. `make grade UNSAFE=1` skips this check (and says so in every row).
set -u

works() {
    command -v bwrap >/dev/null 2>&1 && bwrap --unshare-user --unshare-net --unshare-pid \
        --ro-bind / / --proc /proc --dev /dev --die-with-parent true >/dev/null 2>&1
}

if works; then
    exit 0
fi

here=${BASH_SOURCE[0]%/*}  # (without dirname: the tests run this with an empty PATH)
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
. "$here/apt_install.sh"

if ! command -v bwrap >/dev/null 2>&1 && apt_install bubblewrap "bubblewrap (the grading sandbox)" && works; then
    exit 0
fi

if command -v bwrap >/dev/null 2>&1; then
    echo "bwrap is installed but cannot create a sandbox here (user namespaces disabled?" \
         "try 'sudo sysctl kernel.unprivileged_userns_clone=1', or run as root); to grade" \
         "without a sandbox anyway: make grade UNSAFE=1" >&2
else
    echo "make grade runs every notebook in a sandbox and needs bubblewrap: install it with" \
         "'sudo apt-get install bubblewrap' (Debian/Ubuntu) or 'sudo dnf install bubblewrap'" \
         "(Fedora), then run make again; to grade without a sandbox anyway: make grade UNSAFE=1" >&2
fi
exit 1
