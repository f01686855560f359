#!/usr/bin/env bash
# The public portal under a crowd (issue 14): anonymous portal home ÷ a bare anonymous Django view
# (/healthz), both under wrk against the same gunicorn (3 workers) in the same run, in alternating
# rounds (medians); target ≥ 0.5.
# Then the same portal home with the page cache off (what it was before), and a write made by
# another process followed by reads through every worker: the new figure must show within a second.
# Not a test. Runs on a copy of the demo database (`make demo` makes db.sqlite3), never on it:
#   bash bench/portal_wrk.sh [DATABASE]
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE="${1:-db.sqlite3}"
PORT="${PORT:-8102}"
DURATION="${DURATION:-10s}"
WORKERS="${WORKERS:-3}"
[ -f "$SOURCE" ] || { echo "$SOURCE is missing: run make demo first, or give the demo database."; exit 1; }
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
mkdir -p bench/out
DB="$(realpath bench/out)/portal-bench.sqlite3"
rm -f "$DB" "$DB-wal" "$DB-shm"
.venv/bin/python -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))" "$SOURCE" "$DB"

# Production-like settings (DEBUG off, fresh keys: the portal shows no encrypted field).
key() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))'; }
export DEBUG=0 SECRET_KEY="bench-$(key)" FIELD_INDEX_KEY="bench-$(key)" \
  FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 DATABASE_URL="sqlite:///$DB"
.venv/bin/python manage.py collectstatic --noinput -v0

SLUG=belfaa-jette-2022-2026
BASE="http://127.0.0.1:$PORT"
GUNICORN=
serve() {  # serve PAGE_CACHE: gunicorn with the page cache on (1) or off (0)
  [ -z "$GUNICORN" ] || { kill "$GUNICORN"; wait "$GUNICORN" 2>/dev/null || true; }
  PAGE_CACHE="$1" .venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --log-level warning &
  GUNICORN=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && return; sleep 0.2; done
  echo "gunicorn did not start"; exit 1
}
trap '[ -z "$GUNICORN" ] || kill "$GUNICORN"' EXIT
# As a browser asks: gzip accepted, French.
run() { wrk -t2 -c8 -d"$DURATION" -H "Accept-Encoding: gzip" -H "Accept-Language: fr" "$BASE$1" \
  | awk '/Requests\/sec/ {print $2}'; }

# Alternating rounds, medians: the machine is shared, its load changes from one second to the next.
ROUNDS="${ROUNDS:-3}"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
serve 1
run "/public/$SLUG/" >/dev/null  # warm-up: every worker keeps the page
BARES=() PORTALS=()
for _ in $(seq 1 "$ROUNDS"); do BARES+=("$(run /healthz)"); PORTALS+=("$(run "/public/$SLUG/")"); done
BARE=$(printf '%s\n' "${BARES[@]}" | median)
PORTAL=$(printf '%s\n' "${PORTALS[@]}" | median)
serve 0
UNCACHED=$(run "/public/$SLUG/")
echo "bare Django view (/healthz):          $BARE req/s (rounds: ${BARES[*]})"
echo "portal home, cached:                  $PORTAL req/s (rounds: ${PORTALS[*]})"
echo "portal home, page cache off (before): $UNCACHED req/s"
awk -v p="$PORTAL" -v b="$BARE" 'BEGIN { printf "portal home ÷ bare view: %.2f (target ≥ 0.5)\n", p / b }'

# A write by another process, then reads spread over every worker until each shows the new figure.
serve 1
PAGE="$BASE/public/$SLUG/activites/?annee=2026"
for _ in $(seq 1 30); do curl -s "$PAGE" >/dev/null; done  # every worker keeps the old page
# Visitors keep reading while the write happens, so each worker holds a fresh reading of the old token.
(while :; do curl -s "$PAGE" >/dev/null; done) &
READERS=$!
read -r TOTAL WRITTEN < <(.venv/bin/python manage.py shell -v0 -c "
import datetime, time
from activities import actions
from activities.models import Activity
from partnerships.models import Partnership
from portal import published
p = Partnership.objects.get(slug='$SLUG')
actions.create_activity(Activity(partnership=p, kind='atelier', title='Atelier du banc', date=datetime.date(2026, 11, 2)))
print(published.activities_by_month(p, 2026)['total'], time.time())  # committed by then
")
kill "$READERS"
LAST_STALE=$WRITTEN READS=0 STALE=0
until [ "$READS" -ge 200 ] || awk -v a="$(date +%s.%N)" -v b="$WRITTEN" 'BEGIN { exit !(a - b > 3) }'; do
  READS=$((READS + 1))
  BODY=$(curl -s "$PAGE")  # whole, then searched: `curl | grep -q` would fail on SIGPIPE (pipefail)
  if ! grep -qF "<td class=\"num\">$TOTAL</td></tr></tfoot>" <<<"$BODY"; then
    STALE=$((STALE + 1)) LAST_STALE=$(date +%s.%N)
  fi
done
awk -v w="$WORKERS" -v n="$READS" -v s="$STALE" -v t="$TOTAL" -v a="$WRITTEN" -v l="$LAST_STALE" \
  'BEGIN { printf "write by another process, then %d reads over %s workers: %d stale, the last %.2f s after the commit (new total %s; target < 1 s)\n", n, w, s, l - a, t }'
