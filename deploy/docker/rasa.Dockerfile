# syntax=docker/dockerfile:1
# The Rasa server: Rasa 3.6 (Python 3.10 only), bot/ (tokenizer, channels), the citizen chat page
# (web/, served at /chat/). Built from the repository root:
#
#   docker build -f deploy/docker/rasa.Dockerfile -t tldvc-rasa .
#   docker build -f deploy/docker/rasa.Dockerfile --build-arg TRAIN_MODEL=true -t tldvc-rasa .
#
# Without TRAIN_MODEL the model comes from the `models` volume (deploy/compose.yml trains into it);
# with it, the image carries its model in /app/models (Kubernetes: every pod the same model).
# No secret is baked in: they come from the environment or /run/secrets (entrypoint.sh).

# the chat page's socket.io client, from its lock file, never from a CDN
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.10-slim-bookworm AS rasa
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    HOME=/home/tldvc \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
# the same pinned set as scripts/setup.sh installs, with the same installer (uv, pinned in app.lock)
COPY requirements/rasa.lock.txt requirements/app.lock.txt /tmp/requirements/
RUN pip install --no-cache-dir "$(grep -E '^uv==' /tmp/requirements/app.lock.txt)" \
 && uv venv -q -p "$(command -v python3.10)" /opt/venv \
 && uv pip sync -q --no-cache -p /opt/venv/bin/python /tmp/requirements/rasa.lock.txt \
 && rm -rf /tmp/requirements
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/tldvc tldvc

WORKDIR /app
# everything the model's fingerprint covers (scripts/stack.py MODEL_INPUTS), and what it serves
COPY config.yml endpoints.yml credentials.yml ./
COPY requirements/rasa.lock.txt requirements/
COPY bot bot/
COPY data data/
COPY lexicon lexicon/
COPY vnid vnid/
COPY web web/
COPY --from=web /web/node_modules web/node_modules/
COPY deploy/docker/entrypoint.sh /usr/local/bin/tldvc-entrypoint

ARG TRAIN_MODEL=false
# models/ and Rasa's training cache (.rasa/, in the working directory) belong to the user the
# compose `train` job runs as; the rest of /app stays read-only to it
RUN mkdir -p models .rasa \
 && if [ "$TRAIN_MODEL" = true ]; then \
      rasa train --config config.yml --domain bot/domain --data data --out models \
        --fixed-model-name vi && rm -rf .rasa/*; \
    fi \
 && chown -R tldvc:tldvc models .rasa

USER 10001:10001
EXPOSE 5005
ENTRYPOINT ["tldvc-entrypoint"]
# `rasa run` with the API token from RASA_AUTH_TOKEN (never on a command line) and the security
# headers; the newest model of /app/models is loaded
CMD ["python", "-m", "bot.serve", "--model", "models", "--endpoints", "endpoints.yml", \
     "--credentials", "credentials.yml", "--interface", "0.0.0.0", "--port", "5005", \
     "--enable-api"]
