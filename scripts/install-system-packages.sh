#!/usr/bin/env bash
# Installs the system packages Twiza's CI needs and a new machine may lack: Chromium for the
# browser tests, GNU gettext for the translations,
# pg_dump/pg_restore for the backup tests on PostgreSQL, a headless Java for ODK Validate (which
# pyxform ships) to check every XForm Twiza makes. Idempotent: installs only what is missing.
# `make demo` does not need it.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)  # backup, restore, drill
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)  # ODK Validate (collect/tests)
fc-list 2>/dev/null | grep -qi "dejavu" || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qiE "noto.*arab|kacst|arabeyes" || missing+=(fonts-noto-core)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
