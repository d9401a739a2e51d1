"""What the model can do for the code at the cursor: the offers behind genls's code actions
(write or update a docstring, document the whole file, suggest a better name, refactor the
selection). The server turns each into a code action that runs its command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from genls.assist.doc_target import DocTarget, DocTargetError, find_targets
from genls.assist.refactor import PRESETS, region_for
from genls.assist.rename_syntax import rename_syntax
from genls.errors import GenlsError
from genls.index.symbols import ParsedSource

Action = Literal["docstring", "document_file", "suggest_name", "refactor"]


@dataclass(frozen=True)
class Offer:
    title: str
    action: Action
    line: int | None = None  # the definition's first line (docstring, suggest_name)
    instruction: str | None = None  # a refactor's ready-made instruction; None: ask for one


def model_offers(
    source: ParsedSource,
    cursor_line: int,
    selection: tuple[int, int],
    outdated: Callable[[DocTarget], bool],
) -> list[Offer]:
    """The offers at `cursor_line` (0-based) with `selection` (first and last line)
    selected; `outdated` says whether a docstring no longer matches its signature."""
    offers: list[Offer] = []
    language = source.language
    if language.doc_style is not None:
        offers += _documentation_offers(source, cursor_line, outdated)
    try:
        region_for(source, selection[0], selection[1])
    except GenlsError:  # not whole statements: nothing to refactor
        return offers
    offers.append(Offer("Refactor with an instruction…", "refactor"))
    if language.id == "python":
        offers += [Offer(f"Refactor: {p}", "refactor", instruction=p) for p in PRESETS]
    return offers


def _documentation_offers(
    source: ParsedSource, line: int, outdated: Callable[[DocTarget], bool]
) -> list[Offer]:
    try:
        targets = find_targets(source)
    except DocTargetError:  # e.g. syntax errors: no documentation offers
        return []
    around = [t for t in targets if t.definition.start_line <= line <= t.definition.end_line]
    target = max(around, key=lambda t: t.definition.start_line) if around else None
    offers = []
    if target is not None and (target.existing is None or outdated(target)):
        verb = "Generate" if target.existing is None else "Update"
        offers.append(
            Offer(f"{verb} docstring for {target.name}", "docstring", target.definition.start_line)
        )
    missing = [t for t in targets if t.existing is None]
    only_this = len(missing) == 1 and target is not None and missing[0].name == target.name
    if missing and not only_this:
        offers.append(Offer(f"Document all missing in file ({len(missing)})", "document_file"))
    if target is not None and rename_syntax(source.language) is not None:
        title = f"Suggest a better name for {target.name}"
        offers.append(Offer(title, "suggest_name", target.definition.start_line))
    return offers
