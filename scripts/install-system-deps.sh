#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (PostgreSQL server and contrib, Chromium and
# its driver), and only those that are missing. Safe to run again.
set -euo pipefail

package_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

postgresql_server_present() {
    local bindir
    bindir=$(pg_config --bindir 2>/dev/null) || bindir=/nonexistent
    if [[ -x $bindir/initdb && -x $bindir/postgres ]]; then
        return 0
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

postgresql_contrib_present() {
    # Since PostgreSQL 10 Debian ships contrib inside postgresql-NN; the extension files tell.
    package_installed postgresql-contrib \
        || compgen -G '/usr/share/postgresql/*/extension/pg_trgm.control' >/dev/null
}

chromium_present() { command -v chromium >/dev/null; }
chromedriver_present() { command -v chromedriver >/dev/null; }

packages=()
names=()
want() {
    local name=$1 package=$2 present=$3
    if "$present"; then
        echo "$name: already present"
    else
        names+=("$name")
        packages+=("$package")
    fi
}

want "PostgreSQL server" postgresql postgresql_server_present
want "PostgreSQL contrib" postgresql-contrib postgresql_contrib_present
want "Chromium" chromium chromium_present
want "ChromeDriver" chromium-driver chromedriver_present

if ((${#packages[@]} == 0)); then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
else
    echo "install-system-deps: installing ${packages[*]} needs root (sudo is not available)" >&2
    exit 1
fi

"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
for index in "${!packages[@]}"; do
    echo "${names[index]}: installed (${packages[index]})"
done
