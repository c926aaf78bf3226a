#!/usr/bin/env bash
# Production smoke test: install and run the portal exactly as README.md's "Production" section
# says, from requirements.txt alone, then use it over HTTP.
#
# The `sh prod-*` blocks, the units' ExecStart= lines and the nginx site are read from README.md
# and run with /srv/portal/{venv,backup,app,static} pointed into a temporary folder, port 8000
# replaced by a free one, and nginx on free local ports with a certificate made for the run
# (Debian's nginx: .ci/run installs it). Services: PostgreSQL (SMOKE_DATABASE_URL, a database of its own, recreated), Redis
# (SMOKE_REDIS_URL, a database index of its own, flushed), an SMTP server (aiosmtpd from the
# development virtualenv, SMTP_PYTHON). Bounded in time (each README block SMOKE_BLOCK_TIMEOUT
# seconds, 600 by default); every process it starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
README=$ROOT/README.md

: "${SMOKE_DATABASE_URL:=postgres://postgres@127.0.0.1:5432/portal_smoke}"
: "${SMOKE_REDIS_URL:=redis://127.0.0.1:6379/15}"
: "${SMTP_PYTHON:=$ROOT/.venv/bin/python}"
: "${PYTHON:=python3}"
WORK=$(mktemp -d /tmp/portal-prod-smoke.XXXXXX)
PIDS=()
START=$SECONDS

log() { printf '[prod-smoke %3ds] %s\n' "$((SECONDS - START))" "$*"; }

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true  # the main process: a warm shutdown of its children
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for f in "$WORK"/*.log; do
      [ -f "$f" ] && { echo "----- $f (last 40 lines)"; tail -n 40 "$f"; }
    done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The README's text for one block, paths and port rewritten for this run.
block() {
  awk -v tag="\`\`\`sh $1" '$0 == tag {f = 1; next} /^```/ {f = 0} f' "$README" |
    sed -e "s#/srv/portal/venv#$WORK/venv#g" -e "s#/srv/portal/backup#$WORK/backup#g"
}
unit_command() {  # unit_command NAME PORT: the ExecStart= of /etc/systemd/system/NAME.service
  awk -v head="# /etc/systemd/system/$1.service" '$0 == head {f = 1} f && /^ExecStart=/ {sub(/^ExecStart=/, ""); print; exit}' "$README" |
    sed -e "s#/srv/portal/venv#$WORK/venv#g" -e "s#127.0.0.1:8000#127.0.0.1:${2:-8000}#g"
}
run_block() {
  local text
  text=$(block "$1")
  [ -n "$text" ] || { echo "README.md has no \`\`\`sh $1 block" >&2; return 1; }
  log "README block $1"
  (cd "$ROOT" && timeout "${SMOKE_BLOCK_TIMEOUT:-600}" bash -euo pipefail -c "$text")
}
start() {  # start NAME COMMAND...: in its own process group, output to $WORK/NAME.log
  local name=$1
  shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
start_unit() {  # start_unit UNIT PORT
  local command
  command=$(unit_command "$1" "${2:-8000}")
  [ -n "$command" ] || { echo "README.md has no ExecStart= for $1" >&2; return 1; }
  log "start $1: $command"
  setsid bash -c "cd '$ROOT' && exec $command" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_until() {  # wait_until SECONDS WHAT COMMAND...
  local limit=$1 what=$2
  shift 2
  for _ in $(seq $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "timed out after ${limit}s waiting for $what" >&2
  return 1
}
nginx_site() {  # the README's nginx site, for this run: local ports, a test certificate, STATIC_ROOT
  awk '$0 == "```nginx" {f = 1; next} /^```/ {f = 0} f' "$README" | sed \
    -e "s#listen 80;#listen 127.0.0.1:$NGINX_HTTP_PORT;#" \
    -e "s#listen 443 ssl#listen 127.0.0.1:$NGINX_PORT ssl#" \
    -e "s#server_name tpps.example.go.id;#server_name 127.0.0.1;#" \
    -e "s#/etc/letsencrypt/live/tpps.example.go.id/#$WORK/nginx/#g" \
    -e "s#/srv/portal/static/#$STATIC_ROOT/#g" \
    -e "s#127.0.0.1:8000#127.0.0.1:$WEB_PORT#g"
}
start_nginx() {  # the site inside a minimal main configuration of its own (no system nginx touched)
  local dir=$WORK/nginx
  mkdir -p "$dir/tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
  nginx_site >"$dir/site.conf"
  grep -q "proxy_pass http://127.0.0.1:$WEB_PORT;" "$dir/site.conf" || { echo "README.md has no nginx site" >&2; return 1; }
  cat >"$dir/nginx.conf" <<CONF
user $(id -un);
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/site.conf;
}
CONF
  nginx -t -q -p "$dir/" -c "$dir/nginx.conf"
  log "start nginx on https://127.0.0.1:$NGINX_PORT (http $NGINX_HTTP_PORT)"
  start nginx nginx -p "$dir/" -c "$dir/nginx.conf" -g "daemon off;"
}
recreate_database() {  # recreate_database URL
  local admin="${1%/*}/postgres" name="${1##*/}"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\""
}

# --- the environment file (/etc/portal/env) of this run -------------------------------------
WEB_PORT=$(free_port)
SMTP_PORT=$(free_port)
NGINX_PORT=$(free_port)
NGINX_HTTP_PORT=$(free_port)
export DEBUG=False
export SECRET_KEY="smoke-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1
export CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$NGINX_PORT"  # nginx's Host has no port; the browser's origin has
export SITE_URL="https://127.0.0.1:$WEB_PORT"
export DATABASE_URL=$SMOKE_DATABASE_URL
export REDIS_URL=$SMOKE_REDIS_URL
export TRUSTED_PROXY_COUNT=1  # the smoke client speaks as nginx (X-Forwarded-For, -Proto)
export EMAIL_HOST=127.0.0.1 EMAIL_PORT=$SMTP_PORT EMAIL_TIMEOUT=5
export VAR_DIR=$WORK/var STATIC_ROOT=$WORK/static PRIVATE_STORAGE_ROOT=$WORK/var/private
export BEAT_TICK_SECONDS=2
AUDITS_FERNET_KEYS=$("$PYTHON" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
AUDITS_NIK_HMAC_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))')
export AUDITS_FERNET_KEYS AUDITS_NIK_HMAC_KEY
export REGIONS_FILE=portal/fixtures/regions-tapin-sample.csv
export ADMIN_USERNAME=admin ADMIN_EMAIL=admin@portal-tpps.example
ADMIN_PASSWORD="Smoke-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(16))')"
unset CELERY_BROKER_URL WHITENOISE_USE_FINDERS SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE \
  CELERY_TASK_ALWAYS_EAGER S3_BUCKET LOG_FORMAT

log "work folder $WORK; database $DATABASE_URL; redis $REDIS_URL"
recreate_database "$DATABASE_URL"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
mkdir -p "$VAR_DIR"  # /srv/portal/var, owned by the portal user

# --- install, first install ---------------------------------------------------------------
run_block prod-install
DJANGO_SUPERUSER_PASSWORD=$ADMIN_PASSWORD run_block prod-first-install
PY=$WORK/venv/bin/python
# A test-only setting an administrator would make in Django admin: no quiet hours, so the
# invitation goes out now whatever the time of day.
(cd "$ROOT" && "$PY" manage.py shell -c "
from datetime import time
from portal.models import ReminderSettings
s = ReminderSettings.load(); s.quiet_start = s.quiet_end = time(0, 0); s.save()")
# No dev dependency is in the production virtualenv (it would hide a missing runtime one).
if "$PY" -c 'import pytest' 2>/dev/null; then echo "pytest is in the production virtualenv" >&2; exit 1; fi

# --- processes ----------------------------------------------------------------------------
start smtp "$SMTP_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/maildir"
start_unit portal-web "$WEB_PORT"
start_unit portal-worker
PID_WORKER=${PIDS[-1]}
start_unit portal-beat
wait_until 30 "the SMTP server" "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)"
wait_until 60 "gunicorn" curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$WEB_PORT/accounts/login/"
wait_until 60 "the worker" grep -q " ready." "$WORK/portal-worker.log"

# --- a person uses it ---------------------------------------------------------------------
log "journey: log in, schedule a meeting, invite, wait for the mail, /healthz"
RESULT=$("$PY" scripts/prod_smoke_client.py journey "http://127.0.0.1:$WEB_PORT" admin "$ADMIN_PASSWORD" "$WORK/maildir")
echo "$RESULT"
TITLE=$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["title"])' "$RESULT")
REQUEST_ID=$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["invite_request_id"])' "$RESULT")
# Structured logs: the invitation's task logged a JSON line with the inviting request's id,
# and no log line holds the password.
wait_until 20 "the task's log line" grep -q "\"request_id\": \"$REQUEST_ID\".*\"logger\": \"portal.task\"\|\"logger\": \"portal.task\".*\"request_id\": \"$REQUEST_ID\"" "$WORK/portal-worker.log"
grep -q "\"logger\": \"portal.request\"" "$WORK/portal-web.log"
if grep -q -- "$ADMIN_PASSWORD" "$WORK"/*.log; then echo "a log holds the password" >&2; exit 1; fi

# --- behind the README's nginx: TLS, static files, upload size, /healthz, proxy headers ----------
start_nginx
wait_until 30 "nginx" curl -fsS -o /dev/null --cacert "$WORK/nginx/fullchain.pem" "https://127.0.0.1:$NGINX_PORT/healthz"
log "through nginx: static files, upload limit, /healthz, a login with forwarded headers"
NGINX_RESULT=$("$PY" scripts/prod_smoke_client.py nginx "https://127.0.0.1:$NGINX_PORT" "http://127.0.0.1:$NGINX_HTTP_PORT" \
  "$WORK/nginx/fullchain.pem" admin "$ADMIN_PASSWORD" /static/portal/job.js)
echo "$NGINX_RESULT"
# TRUSTED_PROXY_COUNT=1: the login is recorded from nginx's client address, not the address the
# client forged in X-Forwarded-For; the request id is nginx's, followed into the web log.
LOGIN_IP=$(cd "$ROOT" && "$PY" manage.py shell -c "
from axes.models import AccessLog
print(AccessLog.objects.order_by('-attempt_time').values_list('ip_address', flat=True).first())" | tail -n 1)
[ "$LOGIN_IP" = 127.0.0.1 ] || { echo "the login was recorded from $LOGIN_IP, not nginx's 127.0.0.1" >&2; exit 1; }
LOGIN_REQUEST_ID=$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["login_request_id"])' "$NGINX_RESULT")
grep -q "\"request_id\": \"$LOGIN_REQUEST_ID\"" "$WORK/portal-web.log"
grep -q '" 413 ' "$WORK/nginx/access.log"

# --- upgrade, backup, restore into a new database, serve it ----------------------------------
run_block prod-upgrade
run_block prod-backup
export DATABASE_URL="${SMOKE_DATABASE_URL}_restored" PRIVATE_STORAGE_ROOT=$WORK/restored-private
recreate_database "$DATABASE_URL"
run_block prod-restore
RESTORED_PORT=$(free_port)
start_unit portal-web "$RESTORED_PORT"
PIDS_RESTORED=${PIDS[-1]}
wait_until 60 "gunicorn on the restored database" curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$RESTORED_PORT/accounts/login/"
"$PY" scripts/prod_smoke_client.py serves "http://127.0.0.1:$RESTORED_PORT" admin "$ADMIN_PASSWORD" "$TITLE"
kill -TERM "$PIDS_RESTORED"
psql -q "${SMOKE_DATABASE_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS \"${DATABASE_URL##*/}\" WITH (FORCE)"

# --- stop the worker as systemd does (SIGTERM: a warm shutdown); every line is JSON ------------
kill -TERM "$PID_WORKER"
wait_until 60 "the worker's warm shutdown" bash -c "! kill -0 -- -$PID_WORKER 2>/dev/null"
grep -q '"message": "worker shutting down"' "$WORK/portal-worker.log"
"$PY" -c '
import json, sys
for name in sys.argv[1:]:
    for number, line in enumerate(open(name, errors="replace"), 1):
        if line.strip():
            try:
                json.loads(line)
            except ValueError:
                sys.exit(f"{name}:{number} is not a JSON line: {line!r}")
' "$WORK/portal-web.log" "$WORK/portal-worker.log" "$WORK/portal-beat.log"

log "production smoke test passed"
