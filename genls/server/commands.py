"""workspace/executeCommand, one way for every genls command.

A command is a module-level handler `async def handler(ls, options)` and a dataclass of its
options. `register_command` parses the arguments into that dataclass (one object of named
options, or the positional arguments the dataclass lists in POSITIONAL), checks the workspace
folder when the command writes into it, and maps what goes wrong to two conventions:
- refused (bad options, no workspace folder, a failed check: any GenlsError): the user sees
  the message as a warning, the client gets {"applied": false, "message": ...}, nothing was
  edited;
- cancelled (the progress bar's cancel button, $/cancelRequest, shutdown): the client gets
  LSP's RequestCancelled error, nothing was edited, and no message (the person asked for it).
Long work runs through `run_job`, which reports $/progress and turns a stopped job into
JobCancelled.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, get_type_hints

import attrs
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from genls.errors import GenlsError
from genls.server.app import GenlsServer
from genls.server.progress import ServerJob
from genls.typed_values import camel, checked_values, snake

log = logging.getLogger(__name__)
T = TypeVar("T")
OptionsT = TypeVar("OptionsT")


class CommandRefused(GenlsError):
    """The command cannot run as asked: its options, or no workspace folder."""


class JobCancelled(Exception):
    """The person stopped the job; nothing was changed."""


@dataclass(frozen=True)
class NoOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ()


def register_command(
    server: GenlsServer,
    name: str,
    handler: Callable[[GenlsServer, OptionsT], Awaitable[Any]],
    options: type[OptionsT],
    *,
    needs_workspace: bool = False,
) -> None:
    declared = get_type_hints(options)
    hints = {field.name: declared[field.name] for field in dataclasses.fields(options)}

    async def execute(ls: GenlsServer, *args: Any) -> Any:
        try:
            parsed = _parse(name, options, hints, args)
            if needs_workspace and ls.root is None:
                raise CommandRefused(f"{name} works in a workspace folder: open a folder first")
            return await handler(ls, parsed)
        except JobCancelled as exc:
            raise JsonRpcRequestCancelled(str(exc)) from exc
        # GenlsError: the person's input or a failed check; JsonRpcInvalidParams: a document
        # that is not open or a position past its end (genls.server.convert).
        except (GenlsError, JsonRpcInvalidParams) as exc:
            log.info("%s refused: %s", name, exc)
            return ls.refuse(str(exc))

    server.command(name)(execute)


def _parse(
    name: str, options: type[OptionsT], hints: dict[str, Any], args: tuple[Any, ...]
) -> OptionsT:
    positional: tuple[str, ...] = getattr(options, "POSITIONAL", ())
    if len(args) == 1 and isinstance(args[0], dict):
        raw = args[0]
    elif len(args) <= len(positional):
        raw = dict(zip(positional, args, strict=False))
    else:
        expected = ", ".join(positional) or "no arguments"
        raise CommandRefused(f"{name} takes one object of options or: {expected}")
    # LSP structures (a Range) are converted as pygls converts a handler's parameters.
    structured = {n: hint for n, hint in hints.items() if attrs.has(hint)}
    plain = {n: hint for n, hint in hints.items() if n not in structured}
    what = f"{name} option"
    values = checked_values(
        {k: v for k, v in raw.items() if snake(k) not in structured},
        plain,
        what,
        CommandRefused,
        name_known=True,
    )
    for key, value in raw.items():
        if snake(key) in structured:
            kind = structured[snake(key)]
            try:
                values[snake(key)] = get_converter().structure(value, kind)
            except Exception as exc:
                raise CommandRefused(f"{what} {key!r} must be an LSP {kind.__name__}") from exc
    missing = [
        camel(field.name)
        for field in dataclasses.fields(options)
        if field.name not in values
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise CommandRefused(f"{name} needs {', '.join(missing)}")
    return options(**values)


async def run_job(
    ls: GenlsServer,
    title: str,
    executor: Executor,
    work: Callable[[ServerJob], T],
    *,
    cancellable: bool = True,
) -> T:
    """`work(job)` on `executor` as a job the person sees ($/progress) and can stop; raises
    JobCancelled when it was stopped, whatever the work itself raised on the way out."""
    async with ServerJob(ls, title, cancellable) as job:
        try:
            result = await job.run(executor, work, job)
        except Exception as exc:
            if job.should_stop():
                raise JobCancelled(f"{title.removeprefix('genls: ')} was cancelled") from exc
            raise
    if job.should_stop():
        raise JobCancelled(f"{title.removeprefix('genls: ')} was cancelled; nothing was changed")
    return result
