#!/bin/sh
# Creates the secret files deploy/compose.yml hands to the containers (Docker secrets), each its
# own random value (production refuses shared, short or missing secrets: scripts/stack.py), mode
# 0600. Existing files are kept: run it again after adding one, never to rotate by accident.
#   ./make-secrets.sh [DIR]            (default: the secrets/ folder next to this script)
# Kubernetes: kubectl create secret generic tldvc-secrets --from-file=DIR (deploy/README.md).
set -eu
dir="${1:-$(dirname "$0")/secrets}"
mkdir -p "$dir"
umask 077

random() {  # 64 hex characters: safe inside URLs, as every secret must be (REDIS_URL, DATABASE_URL)
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

for name in rasa_auth_token action_server_token connectors_service_token session_secret \
            redis_password postgres_password; do
  [ -s "$dir/$name" ] || random > "$dir/$name"
done
# the services take URLs; the passwords inside them are the files above
[ -s "$dir/redis_url" ] \
  || printf 'redis://:%s@redis:6379/0' "$(cat "$dir/redis_password")" > "$dir/redis_url"
[ -s "$dir/database_url" ] \
  || printf 'postgresql+psycopg://tldvc:%s@postgres:5432/portal' "$(cat "$dir/postgres_password")" \
       > "$dir/database_url"
chmod 600 "$dir"/*
echo "secrets in $dir: $(ls "$dir" | tr '\n' ' ')"
