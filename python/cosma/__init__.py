"""Cosma from Python: scratchpad plans for DNN accelerators.

Cosma decides the operator schedule, every tensor's scratchpad address and which tensors to spill
to DRAM and reload, with minimum off-chip traffic. This module is a thin layer of ``ctypes`` over
libcosma (no compiled extension, standard library only). It finds the library next to itself (an
install puts it in ``PREFIX/lib`` and this module in ``PREFIX/lib/python/cosma``), or where the
environment variable ``COSMA_LIBRARY`` points.

>>> import cosma
>>> plan = cosma.plan("graphs/tiny.json", capacity="5KiB")
>>> plan["traffic"]["nonCompulsory"], plan.summary["solver"]["status"]
(0, 'optimal')
>>> cosma.simulate("graphs/tiny.json", plan)["valid"]
True

Graphs, plans and answers are dictionaries in the versioned formats of the ``schemas/`` folder of
the Cosma repository.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

__all__ = [
    "Cancellation", "CosmaError", "InputError", "NoPlanError", "Plan",
    "import_onnx", "plan", "simulate", "version",
]

#: A graph or plan: a path to its JSON file, a dictionary, or JSON text.
Document = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class CosmaError(Exception):
    """An error of libcosma: ``code`` (1 no valid plan, 2 unusable input), ``message``,
    the ``item`` it concerns and the ``fix``."""

    def __init__(self, code: int, message: str, item: str, fix: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.item = item
        self.fix = fix


class InputError(CosmaError):
    """The input cannot be used (return code 2): the message names the item and the fix."""


class NoPlanError(CosmaError):
    """No valid plan was made (return code 1)."""


class Plan(dict):
    """A plan (``cosma-plan/1``) as a dictionary, with the planning summary (``cosma-summary/1``:
    method, traffic, solver status and bound, times) in :attr:`summary`."""

    summary: dict
    #: Whether a :class:`Cancellation` stopped the planner early.
    cancelled: bool


class Cancellation:
    """A flag that stops a running :func:`plan` from another thread: the solver stops as at a
    time limit and the best simulated plan found so far is returned."""

    def __init__(self) -> None:
        self._flag = ctypes.c_int(0)

    def cancel(self) -> None:
        """Asks the planner to stop as soon as it can."""
        self._flag.value = 1

    @property
    def cancelled(self) -> bool:
        return bool(self._flag.value)


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)
_library: Optional[ctypes.CDLL] = None


def _lib() -> ctypes.CDLL:
    """libcosma, loaded once: from ``COSMA_LIBRARY``, beside this module, or the system's."""
    global _library
    if _library is not None:
        return _library
    beside = Path(__file__).resolve().parents[2] / "libcosma.so"
    path = os.environ.get("COSMA_LIBRARY") or (str(beside) if beside.exists() else ctypes.util.find_library("cosma"))
    if path is None:
        raise OSError("libcosma.so not found: install Cosma with `make install PREFIX=P` and use P/lib/python, "
                      "or set COSMA_LIBRARY to the library's path")
    lib = ctypes.CDLL(path)
    out = ctypes.POINTER(ctypes.c_void_p)
    lib.cosma_version.restype = ctypes.c_char_p
    lib.cosma_version.argtypes = []
    lib.cosma_plan.argtypes = [ctypes.c_char_p, ctypes.c_char_p, out]
    lib.cosma_plan_with_progress.argtypes = [ctypes.c_char_p, ctypes.c_char_p, _PROGRESS, ctypes.c_void_p,
                                             ctypes.POINTER(ctypes.c_int), out]
    lib.cosma_simulate.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, out]
    lib.cosma_import_onnx.argtypes = [ctypes.c_char_p, ctypes.c_char_p, out]
    lib.cosma_free.argtypes = [ctypes.c_void_p]
    lib.cosma_free.restype = None
    _library = lib
    return lib


def _call(function: Callable[..., int], *arguments: Any) -> tuple[int, Any]:
    """Calls a libcosma function whose last argument receives its answer; returns the code and
    the answer parsed, after freeing the library's string."""
    answer = ctypes.c_void_p()
    code = function(*arguments, ctypes.byref(answer))
    try:
        text = ctypes.string_at(answer.value).decode("utf-8") if answer.value else "{}"
    finally:
        _lib().cosma_free(answer)
    return code, json.loads(text)


def _raise(code: int, answer: Mapping[str, Any], source: Optional[str]) -> None:
    error = answer.get("error", {})
    item = error.get("item", "")
    message = error.get("message", "libcosma returned %d without a message" % code)
    if source and item in ("graph", "plan"):
        item, message = source, source + message[len(item):] if message.startswith(item) else message
    kind = NoPlanError if code == 1 else InputError
    raise kind(code, message, item, error.get("fix", ""))


def _document(value: Document) -> tuple[bytes, Optional[str]]:
    """JSON text of a graph or plan given as a path, a dictionary or text; and the path."""
    if isinstance(value, Mapping):
        return json.dumps(value).encode("utf-8"), None
    text = os.fspath(value)
    if text.lstrip().startswith("{"):
        return text.encode("utf-8"), None
    try:
        return Path(text).read_bytes(), text
    except OSError as error:
        raise InputError(2, "%s: the file cannot be read (%s); check the path" % (text, error.strerror),
                         text, "check the path") from None


# Stands for JSON null in options, which every other None leaves out (the library's default).
_NO_LIMIT = object()


def _options(**values: Any) -> bytes:
    return json.dumps({k: None if v is _NO_LIMIT else v for k, v in values.items() if v is not None}).encode("utf-8")


def version() -> str:
    """The library's version, then the formats it writes."""
    return _lib().cosma_version().decode("utf-8")


def plan(graph: Document, capacity: Union[int, str], tensors: str = "activations", method: str = "exact",
         time_limit: Optional[float] = 60, solver: Optional[str] = None, alignment: Optional[int] = None,
         gap: Optional[float] = None, segment_ops: Optional[int] = None, in_place: Optional[str] = None,
         deterministic: bool = False,
         progress: Optional[Callable[[dict], None]] = None, cancellation: Optional[Cancellation] = None) -> Plan:
    """Plans ``graph`` for a scratchpad of ``capacity`` (bytes, ``"512KiB"`` or ``"M_R"``,
    ``"M_H"``, ``"M_P"``), as ``cosma solve`` does; the plan has passed Cosma's simulator.

    ``tensors`` is ``"activations"`` or ``"all"`` (weights planned too); ``method`` is
    ``"exact"``, ``"divide-and-conquer"``, ``"auto"`` or ``"heuristic"``; ``time_limit`` is in
    seconds (60; ``None`` lets the exact method run every stage to completion, so that the plan
    does not depend on the machine's speed; with ``deterministic`` it counts work units instead of
    seconds, so the same graph gives the same plan on any machine and under any load), ``solver`` is ``"cbc"`` or ``"glpk"``. ``progress`` receives the solver's
    reports (``cosma-progress/1`` dictionaries) from a thread of the library's; ``cancellation``
    stops the planner early. ``in_place`` is ``"off"`` (the default, the COSMA paper's model) or
    ``"on"`` (outputs may take the bytes of an input that dies there; docs/in-place.md).

    Raises :class:`InputError` for unusable input and :class:`NoPlanError` when no plan is made.
    """
    text, source = _document(graph)
    options = _options(capacity=capacity, tensors=tensors, method=method, solver=solver, alignment=alignment, gap=gap,
                       segmentOps=segment_ops, inPlace=in_place, deterministic=deterministic or None, timeLimit=_NO_LIMIT if time_limit is None else time_limit)
    lib = _lib()
    if progress is None and cancellation is None:
        code, answer = _call(lib.cosma_plan, text, options)
    else:
        report = _PROGRESS(lambda data, _: progress(json.loads(data.decode("utf-8"))) if progress else None)
        flag = ctypes.byref(cancellation._flag) if cancellation else None
        code, answer = _call(lib.cosma_plan_with_progress, text, options, report, None, flag)
    if code != 0:
        _raise(code, answer, source)
    result = Plan(answer["plan"])
    result.summary = answer["summary"]
    result.cancelled = bool(answer.get("cancelled", False))
    return result


def simulate(graph: Document, plan: Document, capacity: Union[int, str, None] = None,
             tensors: Optional[str] = None, alignment: Optional[int] = None, in_place: Optional[str] = None) -> dict:
    """Replays any plan on ``graph`` and checks every rule, at the plan's own capacity, tensor
    setting, alignment and in-place mode unless given. Returns the report (``cosma-simulation/1``): ``valid``,
    ``traffic``, ``violations`` (each with step, rule, tensors and message), peaks.

    A plan that breaks a rule is a report with ``valid`` false, not an exception; unusable input
    raises :class:`InputError`.
    """
    graph_text, graph_source = _document(graph)
    plan_text, plan_source = _document(plan)
    code, answer = _call(_lib().cosma_simulate, graph_text, plan_text,
                         _options(capacity=capacity, tensors=tensors, alignment=alignment, inPlace=in_place))
    if "simulation" not in answer:
        _raise(code, answer, graph_source if answer.get("error", {}).get("item") == "graph" else plan_source)
    return answer["simulation"]


def import_onnx(path: Union[str, "os.PathLike[str]"], element_bytes: Optional[int] = None,
                fuse_activations: bool = False, dimensions: Optional[Mapping[str, int]] = None,
                name: Optional[str] = None) -> dict:
    """Imports an ONNX model (static shapes; weights may be stripped) into a graph
    (``cosma-graph/1``), as ``cosma import`` does."""
    options = _options(elementBytes=element_bytes, fuseActivations=fuse_activations or None,
                       dimensions=dict(dimensions) if dimensions else None, name=name)
    code, answer = _call(_lib().cosma_import_onnx, os.fspath(path).encode("utf-8"), options)
    if code != 0:
        _raise(code, answer, None)
    return answer
