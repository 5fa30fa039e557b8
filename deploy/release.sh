#!/usr/bin/env bash
# Release the checked-out code on this host: install, check, back up, migrate,
# collect static files, compile translations, restart without dropping requests.
#
#   sudo -u gridschool deploy/release.sh            # the host that migrates
#   sudo -u gridschool deploy/release.sh --no-migrate   # every other web/worker host
#
# Run as the service user from the project directory (/srv/gridschool), with the
# production environment file readable. Restarting the units needs the sudo rule
# of docs/deployment.md (systemctl reload/restart of gridschool-* only).
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=${GRIDSCHOOL_ENV_FILE:-/etc/gridschool/gridschool.env}
migrate=true
[ "${1:-}" = "--no-migrate" ] && migrate=false

# The same variables as the services (systemd's EnvironmentFile syntax is a subset
# of the shell's for KEY=value lines).
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-school.settings.production}
PY=.venv/bin/python

step() { printf '\n== %s\n' "$*"; }

step "Python packages"
[ -x "$PY" ] || python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .

step "Front-end packages (served as static files)"
npm ci --no-audit --no-fund --omit=dev

step "Deployment checks (settings, fonts, HarfBuzz)"
"$PY" manage.py check --deploy --fail-level WARNING

if $migrate; then
  step "Backup before migrating"
  "$PY" manage.py backup_database
  step "Migrations"
  "$PY" manage.py migrate --noinput
  step "Signing keys (each school's Open Badges key; creates only missing ones)"
  "$PY" manage.py signing_keys --create-missing
fi

step "Static files (hashed names and gzip, for WhiteNoise)"
"$PY" manage.py collectstatic --noinput --verbosity 0

step "Translations"
"$PY" manage.py compilemessages --ignore ".venv/*" --ignore "node_modules/*" >/dev/null

step "Restart"
# gunicorn: HUP starts workers on the new code and retires the old gracefully.
sudo systemctl reload gridschool-web.service
# qcluster: finishes the jobs in hand (TimeoutStopSec), then starts on the new code.
sudo systemctl restart gridschool-worker.service

step "Health"
for _ in $(seq 1 30); do
  if curl -fsS "http://${GUNICORN_BIND:-127.0.0.1:8000}/healthz" \
       -H "Host: ${ALLOWED_HOSTS%%,*}" -H "X-Forwarded-Proto: https"; then
    echo; exit 0
  fi
  sleep 1
done
echo "healthz did not answer: journalctl -u gridschool-web -n 100" >&2
exit 1
