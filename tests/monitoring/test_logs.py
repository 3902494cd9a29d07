"""Logs: one JSON object per line, the ids that tie a line to its request, task, round and transaction."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from celery.signals import task_prerun

from swap import logs
from swap.tasks import record_heartbeat_task


@pytest.fixture
def json_lines(settings) -> Iterator[io.StringIO]:
    """The configured console handler (its masking filters included), writing JSON into a buffer."""
    buffer = io.StringIO()
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console"]
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.setStream(buffer)
    handler.setFormatter(logs.JsonFormatter())
    try:
        yield buffer
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def events(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_line_is_one_json_object_with_the_ids_its_message_names(json_lines):
    logger = logging.getLogger("swap.test")
    logger.warning("round %s: proposal l2tx:%s failed\nsecond line", 7, 42, extra={"batch_id": 3})
    [event] = events(json_lines)
    assert event["level"] == "WARNING" and event["logger"] == "swap.test"
    assert event["message"] == "round 7: proposal l2tx:42 failed\nsecond line"
    assert (event["round"], event["transaction_id"], event["batch_id"]) == (7, 42, 3)
    assert event["time"].endswith("+00:00")


def test_a_claim_is_named_by_its_uuid(json_lines):
    logging.getLogger("swap.test").info("claim:0b7e3c1a-2f4d-4e5b-9c6d-7e8f9a0b1c2d opened")
    [event] = events(json_lines)
    assert event["claim_id"] == "0b7e3c1a-2f4d-4e5b-9c6d-7e8f9a0b1c2d"


def test_a_traceback_stays_inside_its_event(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("swap.test").exception("it failed")
    [event] = events(json_lines)
    assert "ValueError: boom" in event["exception"]


@pytest.mark.django_db
def test_a_request_gets_an_id_that_its_lines_carry_and_the_response_echoes(client, json_lines):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", headers={"X-Request-ID": "edge-1234.abc"})
    assert response.status_code == 403 and response["X-Request-ID"] == "edge-1234.abc"
    forbidden = [e for e in events(json_lines) if e["message"] == "Forbidden: /metrics"]
    assert forbidden and forbidden[0]["request_id"] == "edge-1234.abc"


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(client):
    first = client.get("/healthz", headers={"X-Request-ID": "x" * 65})["X-Request-ID"]
    second = client.get("/healthz", headers={"X-Request-ID": "bad id\nInjected: yes"})["X-Request-ID"]
    third = client.get("/healthz")["X-Request-ID"]
    assert len({first, second, third}) == 3
    assert all(len(value) == 32 and value.isalnum() for value in (first, second, third))


@pytest.mark.django_db
def test_a_task_s_lines_carry_its_id_and_name(json_lines):
    logger = logging.getLogger("swap.test")

    def log_inside(*_, **__):
        logger.warning("inside the task")

    # Connected after swap.task_events' receiver, so it runs with the task's ids bound.
    task_prerun.connect(log_inside, weak=False)
    try:
        result = record_heartbeat_task.apply(args=["token-1"])  # in this process, broker or not
    finally:
        task_prerun.disconnect(log_inside)
    [event] = [e for e in events(json_lines) if e["message"] == "inside the task"]
    assert event["task_id"] == result.id
    assert event["task"] == "swap.tasks.record_heartbeat_task"
    assert logs.current_context() == {}
