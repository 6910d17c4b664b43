#!/bin/sh
# Docker secrets are files; the services read environment variables. Each file in /run/secrets
# (SECRETS_DIR) becomes the variable of its name in capitals, for this process only:
# rasa_auth_token -> RASA_AUTH_TOKEN. A secret is then never in the image, in `docker inspect`
# or on a command line. A variable already set wins (Kubernetes passes secrets as variables).
set -eu
dir="${SECRETS_DIR:-/run/secrets}"
if [ -d "$dir" ]; then
  for file in "$dir"/*; do
    [ -f "$file" ] || continue
    name="$(basename "$file" | tr '[:lower:]' '[:upper:]')"
    case "$name" in
      *[!A-Z0-9_]*) continue ;;  # not a variable name (e.g. a README)
    esac
    if eval "[ -z \"\${$name:-}\" ]"; then
      value="$(cat "$file")"
      export "$name=$value"
    fi
  done
fi
exec "$@"
