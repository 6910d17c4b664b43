# syntax=docker/dockerfile:1
# The action server (actions/) and the connectors (connectors/): one image, two commands.
# Built from the repository root:
#
#   docker build -f deploy/docker/app.Dockerfile -t tldvc-app .
#
#   connectors (default)  uvicorn --factory connectors.main:create_app, port 8000
#   action server         python -m actions.server --port 5055 (ACTIONS_HOST=0.0.0.0 in a container)
#   migrations (one-off)  python -m connectors.manage init
#
# No secret is baked in: they come from the environment or /run/secrets (entrypoint.sh).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    HOME=/home/tldvc
COPY requirements/app.lock.txt /tmp/requirements/
RUN pip install --no-cache-dir "$(grep -E '^uv==' /tmp/requirements/app.lock.txt)" \
 && uv venv -q -p "$(command -v python3)" /opt/venv \
 && uv pip sync -q --no-cache -p /opt/venv/bin/python /tmp/requirements/app.lock.txt \
 && rm -rf /tmp/requirements
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/tldvc tldvc

WORKDIR /app
COPY actions actions/
COPY connectors connectors/
COPY vnid vnid/
COPY lexicon lexicon/
# the QA package: the staff console's conversation review masks and records with it
COPY qa qa/
COPY deploy/docker/entrypoint.sh /usr/local/bin/tldvc-entrypoint

USER 10001:10001
EXPOSE 8000 5055
ENTRYPOINT ["tldvc-entrypoint"]
CMD ["uvicorn", "--factory", "connectors.main:create_app", "--host", "0.0.0.0", \
     "--port", "8000", "--no-access-log"]
