#!/bin/sh
# Deploy hfcrawler to Scrapyd with scrapyd-deploy (`make deploy`), under an integer version (the
# Unix time) because Scrapyd orders versions as text, and fail unless Scrapyd's answer says ok and
# lists the spiders: scrapyd-deploy itself exits 0 on an error reported inside an HTTP 200.
#
# Environment: SCRAPYD_URL (default http://127.0.0.1:$SCRAPYD_PORT, the local server of
# `make scrapyd`), SCRAPYD_USERNAME (default hfcrawler), SCRAPYD_PASSWORD (for the local server,
# default: the one kept in $SCRAPYD_HOME/password, SCRAPYD_HOME defaulting to
# ~/.local/share/hfcrawler/scrapyd), SCRAPYD_PORT (default 6800), BIN (the virtualenv's bin
# directory). `python -m scheduler` finds Scrapyd and its credentials the same way.
set -eu

cd "$(dirname "$0")/.."
: "${BIN:?set BIN to the bin directory of the project's virtualenv}"
SCRAPYD_USERNAME=${SCRAPYD_USERNAME:-hfcrawler}
if [ -z "${SCRAPYD_URL:-}" ]; then
    SCRAPYD_URL=http://127.0.0.1:${SCRAPYD_PORT:-6800}
    # The local server's generated password, never sent to a server named by SCRAPYD_URL.
    password_file=${SCRAPYD_HOME:-$HOME/.local/share/hfcrawler/scrapyd}/password
    if [ -z "${SCRAPYD_PASSWORD:-}" ] && [ -r "$password_file" ]; then
        SCRAPYD_PASSWORD=$(cat "$password_file")
    fi
fi
# scrapy.cfg's deploy target reads these three.
export SCRAPYD_URL SCRAPYD_USERNAME SCRAPYD_PASSWORD="${SCRAPYD_PASSWORD:-}"

# setuptools writes build/ and *.egg-info where it is told: a temporary directory, not the tree.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
printf '[build]\nbuild_base = %s/build\n[egg_info]\negg_base = %s\n' "$build" "$build" >"$build/setup.cfg"

if ! answer=$(DIST_EXTRA_CONFIG="$build/setup.cfg" PYTHONDONTWRITEBYTECODE=1 \
    "$BIN/scrapyd-deploy" --version "$(date +%s)"); then
    printf '%s\n' "$answer" >&2
    exit 1
fi
printf '%s\n' "$answer" | "$BIN/python" -c '
import json, sys
answer = json.load(sys.stdin)
if answer.get("status") != "ok":
    sys.exit("deploy failed: %s" % answer.get("message"))
if not answer.get("spiders"):
    sys.exit("deployed, but Scrapyd found no spiders: install the requirements in its environment")
print("deployed %(project)s version %(version)s: %(spiders)s spiders" % answer)
'
