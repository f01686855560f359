#!/usr/bin/env bash
# Dashboard throughput under wrk on loopback vs a bare Django view served the same way (issue 4).
# Not a test. Needs `wrk` (Debian package) and a bench database made by bench/indicators.py:
#   .venv/bin/python bench/indicators.py --sizes 100000 && bash bench/dashboard_wrk.sh bench/out/bench-100000.sqlite3
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-bench/out/bench-100000.sqlite3}"
PORT="${PORT:-8765}"
DURATION="${DURATION:-10s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
export DEBUG=0 SECRET_KEY=bench-only-secret-key-0123456789abcdefghijklmnop ALLOWED_HOSTS=127.0.0.1 \
  SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 DATABASE_URL="sqlite:///$(realpath "$DB")" AXES_ENABLED=0 \
  FIELD_ENCRYPTION_KEYS=ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE= FIELD_INDEX_KEY=bench
.venv/bin/python manage.py collectstatic --noinput -v0
# A signed-in session of the coordinator, for the dashboard.
SESSION=$(.venv/bin/python - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
import time
user = User.objects.get(username="coordination")
s = SessionStore()
s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s["twiza_session_started"] = int(time.time())
s.create()
print(s.session_key)
PY
)
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN' EXIT
sleep 3
run() { wrk -t2 -c8 -d"$DURATION" -H "Cookie: sessionid=$SESSION" -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT$1" | awk '/Requests\/sec/ {print $2}'; }
BARE=$(run /healthz)
DASH=$(run /p/belfaa-jette-2022-2026/tableau-de-bord/?annee=2025)
echo "bare Django view: $BARE req/s"
echo "dashboard:        $DASH req/s"
awk -v d="$DASH" -v b="$BARE" 'BEGIN { printf "dashboard ÷ bare view: %.2f (target ≥ 0.15)\n", d / b }'
