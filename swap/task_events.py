"""What happens around every Celery task: its ids on each log line, its failures counted.

Connected once per process (`connect`, from `SwapConfig.ready`), in the web process too, where
the embedded default runs tasks in-process. A failure is counted in the database
(`swap.tallies`), so `sesh_task_failures_total` adds up every worker process and survives restarts.
"""

from __future__ import annotations

import inspect
from typing import Any

from celery import signals

from swap import logs
from swap.tallies.counters import TASK_FAILURES, count_event_safely

# Task arguments that name what a task works on, as log fields.
ID_ARGUMENTS = ("round_id", "transaction_id", "claim_id", "batch_id")
_tokens: dict[str, Any] = {}


def _ids_from_arguments(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        arguments = inspect.signature(task.run).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return {}
    return {name: arguments[name] for name in ID_ARGUMENTS if arguments.get(name) is not None}


def _on_prerun(task_id: str = "", task: Any = None, args: Any = (), kwargs: Any = None, **_: Any) -> None:
    fields = {"task_id": task_id, "task": getattr(task, "name", None)}
    fields.update(_ids_from_arguments(task, tuple(args or ()), dict(kwargs or {})))
    _tokens[task_id] = logs.bind(**fields)


def _on_postrun(task_id: str = "", **_: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        logs.unbind(token)


def _on_failure(sender: Any = None, **_: Any) -> None:
    count_event_safely(TASK_FAILURES, getattr(sender, "name", "unknown"))


def connect() -> None:
    signals.task_prerun.connect(_on_prerun, dispatch_uid="swap.task_events.prerun", weak=False)
    signals.task_postrun.connect(_on_postrun, dispatch_uid="swap.task_events.postrun", weak=False)
    signals.task_failure.connect(_on_failure, dispatch_uid="swap.task_events.failure", weak=False)
