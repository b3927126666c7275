#!/bin/sh
# Run a Scrapyd for hfcrawler on this machine (`make scrapyd`): loopback only, with a username and
# password, SQLite job storage and the project's virtualenv, whose interpreter runs every job (the
# egg Scrapyd receives carries no dependencies, so they must be installed where Scrapyd runs).
#
# Environment: SCRAPYD_HOME (its directory, outside the project), SCRAPYD_PORT (default 6800),
# SCRAPYD_USERNAME (default hfcrawler), SCRAPYD_PASSWORD (default: generated once and kept in
# $SCRAPYD_HOME/password, mode 600), PYTHON (the virtualenv's interpreter).
set -eu

project=$(cd "$(dirname "$0")/.." && pwd -P)
port=${SCRAPYD_PORT:-6800}
username=${SCRAPYD_USERNAME:-hfcrawler}
: "${SCRAPYD_HOME:?set SCRAPYD_HOME to the directory Scrapyd should live in}"
: "${PYTHON:?set PYTHON to the interpreter of the project's virtualenv}"

case $SCRAPYD_HOME in
/*) ;;
*) echo "SCRAPYD_HOME must be an absolute path, got $SCRAPYD_HOME" >&2; exit 2 ;;
esac
mkdir -p "$SCRAPYD_HOME/eggs" "$SCRAPYD_HOME/logs" "$SCRAPYD_HOME/dbs"
home=$(cd "$SCRAPYD_HOME" && pwd -P)
# Started inside the project, Scrapyd would also read scrapy.cfg and serve the working tree.
case $home/ in
"$project"/*) echo "SCRAPYD_HOME must be outside the project ($project)" >&2; exit 2 ;;
esac

password_file=$home/password
if [ -z "${SCRAPYD_PASSWORD:-}" ]; then
    if [ ! -s "$password_file" ]; then
        (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))' >"$password_file")
    fi
    chmod 600 "$password_file"
    SCRAPYD_PASSWORD=$(cat "$password_file")
    # Never printed: terminals and CI logs are kept. `make deploy` and the scheduler read the file.
    password_note="stored in $password_file (mode 600)"
    schedule_env=
    [ "$home" = "$HOME/.local/share/hfcrawler/scrapyd" ] || schedule_env="SCRAPYD_HOME=$home "
else
    password_note="the one in SCRAPYD_PASSWORD"
    schedule_env="SCRAPYD_PASSWORD=... "
fi
[ "$port" = 6800 ] || schedule_env="${schedule_env}SCRAPYD_PORT=$port "
[ "$username" = hfcrawler ] || schedule_env="${schedule_env}SCRAPYD_USERNAME=$username "

escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
sed -e "s|@SCRAPYD_HOME@|$(escape "$home")|g" -e "s|@SCRAPYD_PORT@|$(escape "$port")|g" \
    "$project/deploy/scrapyd.conf.template" >"$home/scrapyd.conf"

cat <<MESSAGE
Scrapyd for hfcrawler: http://127.0.0.1:$port/ (directory $home)
  username: $username
  password: $password_note
Deploy with \`make deploy\`, then schedule from the project directory with
  ${schedule_env}.venv/bin/python -m scheduler models datasets spaces
MESSAGE

cd "$home"
# The address and port also go through the environment, which outranks a stray ~/.scrapyd.conf.
export SCRAPYD_BIND_ADDRESS=127.0.0.1 SCRAPYD_HTTP_PORT="$port"
export SCRAPYD_USERNAME="$username" SCRAPYD_PASSWORD
exec "$PYTHON" -m scrapyd
