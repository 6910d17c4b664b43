"""Caching of search and detail in Redis: hits, invalidation on catalogue writes, Redis down."""

from __future__ import annotations

import pytest
import redis
from fastapi.testclient import TestClient

from connectors.db import make_engine, make_session_factory
from connectors.main import create_app
from connectors.procedures.service import bump_catalogue_version
from connectors.settings import Settings
from scripts.stack import free_port


@pytest.mark.redis
def test_search_and_detail_are_cached_under_the_catalogue_version(
    client: TestClient, settings: Settings
) -> None:
    client.get("/api/v1/procedures/search", params={"q": "khai sinh"})
    client.get("/api/v1/procedures/1.001193")

    keys = {
        k.decode()
        for k in redis.Redis.from_url(settings.redis_url).scan_iter(f"{settings.redis_key_prefix}*")
    }
    assert any(":search:" in k or k.startswith(f"{settings.redis_key_prefix}search") for k in keys)
    assert any("procedure" in k and k.endswith("1.001193") for k in keys)


@pytest.mark.redis
def test_a_catalogue_write_invalidates_cached_answers(
    client: TestClient, settings: Settings, database_url: str
) -> None:
    before = client.get("/api/v1/procedures/1.001193").json()
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        from connectors.procedures.models import Procedure

        procedure = session.get(Procedure, "1.001193")
        assert procedure is not None
        original = procedure.summary
        procedure.summary = "changed by a test"
        bump_catalogue_version(session)
        session.commit()
    try:
        after = client.get("/api/v1/procedures/1.001193").json()
        assert after["summary"] == "changed by a test" != before["summary"]
    finally:
        with make_session_factory(engine)() as session:
            procedure = session.get(Procedure, "1.001193")
            assert procedure is not None
            procedure.summary = original
            bump_catalogue_version(session)
            session.commit()
        engine.dispose()


def test_redis_down_serves_uncached_and_health_says_so(database_url: str) -> None:
    settings = Settings(database_url=database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")

    with TestClient(create_app(settings)) as client:
        search = client.get("/api/v1/procedures/search", params={"q": "hộ chiếu"})
        health = client.get("/health").json()

    assert search.status_code == 200
    assert search.json()["items"]
    assert health["status"] == "degraded"
    assert health["redis"]["ok"] is False


@pytest.mark.redis
@pytest.mark.parametrize(
    "message",
    [
        "hồ sơ 000.00.30.H56-261115-0012 của tôi đến đâu rồi",
        "cccd 079203001234 làm lại căn cước thế nào",
        "gọi lại cho tôi số 0912 345 678 về khai sinh",
    ],
)
def test_the_cache_keeps_no_personal_data(
    client: TestClient, settings: Settings, message: str
) -> None:
    client.get("/api/v1/procedures/resolve", params={"q": message})
    client.get("/api/v1/procedures/search", params={"q": message})
    client.get("/api/v1/procedures/resolve", params={"q": "làm khai sinh cần gì"})

    store = redis.Redis.from_url(settings.redis_url)
    keys = list(store.scan_iter(f"{settings.redis_key_prefix}*"))
    stored = b" ".join(keys + [store.get(k) or b"" for k in keys if store.type(k) == b"string"])
    for secret in (b"261115-0012", b"079203001234", b"0912 345 678"):
        assert secret not in stored
    # the citizen's words are never a key, only their digest: the harmless question was cached
    assert any(b":resolve:" in k for k in keys)
    assert not any(b"khai sinh" in k for k in keys)
