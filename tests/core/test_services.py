"""The services module starts real servers on free ports and leaves no process behind."""

from __future__ import annotations

import httpx
import psutil
import pytest
import redis

from perfsight.errors import ServiceError
from perfsight.services import PrometheusServer, RedisServer, free_port, port_open


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_redis_server_starts_answers_and_stops() -> None:
    server = RedisServer().start()
    pid, port, workdir = server.pid, server.port, server.workdir
    assert pid is not None and workdir is not None
    try:
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        client.set("k", "v")
        assert client.get("k") == b"v"
        client.close()
    finally:
        server.stop()
    assert _gone(pid)
    assert not port_open("127.0.0.1", port)
    assert not workdir.exists()


def test_redis_restart_keeps_port_and_changes_run_id() -> None:
    with RedisServer().start() as server:
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        before = client.info("server")["run_id"]
        server.restart()
        client = redis.Redis.from_url(server.url, socket_timeout=2)
        assert client.info("server")["run_id"] != before
        client.close()


def test_prometheus_scrapes_a_target_and_stops() -> None:
    with RedisServer().start() as target_redis:  # anything listening; we scrape Prometheus itself
        assert target_redis.pid
    prom = PrometheusServer()
    prom.targets = [f"127.0.0.1:{prom.port}"]  # Prometheus scraping its own /metrics
    prom.start()
    pid = prom.pid
    assert pid is not None
    try:
        assert prom.wait_for_scrape(timeout=30)
        response = httpx.get(f"{prom.url}/api/v1/query", params={"query": "up"}, timeout=5)
        result = response.json()["data"]["result"]
        assert result and result[0]["value"][1] == "1"
        children = psutil.Process(pid).children(recursive=True)
    finally:
        prom.stop()
    assert _gone(pid)
    assert all(_gone(child.pid) for child in children)
    assert not port_open("127.0.0.1", prom.port)


def test_missing_binary_is_a_clear_error() -> None:
    with pytest.raises(ServiceError, match="apt-get install -y redis-server"):
        RedisServer(binary="redis-server-that-does-not-exist").start()


def test_free_port_is_free() -> None:
    assert not port_open("127.0.0.1", free_port())
