"""Breaking changes found in the code: public symbols removed, renamed or whose signature
changed between two refs, from tree-sitter symbols (genls.index) over both trees' blobs.

Only files the diff between the refs touches are parsed; a moved file is followed, so its
symbols are compared with their old selves instead of reported as removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import git

from genls.history.commits import SHORT, run_git
from genls.index.languages import LanguageInfo, language_for
from genls.index.symbols import Definition, extract_symbols

_API_KINDS = ("function", "method", "class", "type", "constant")
# Commits cited for one change: the newest few that touched lines naming the symbol.
_CITED_COMMITS = 3
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


@dataclass(frozen=True)
class ApiChange:
    change: str  # "removed" | "renamed" | "signature"
    path: str  # the file at the newer ref (the older one for a removed file)
    symbol: str  # Class.method or function, as it was
    kind: str
    old_signature: str
    new_signature: str | None  # None when removed
    new_symbol: str | None  # the new name, when renamed
    commits: tuple[str, ...]  # short hashes of the commits that made the change

    def describe(self) -> str:
        if self.change == "removed":
            return f"`{self.symbol}` ({self.kind}) was removed from `{self.path}`"
        if self.change == "renamed":
            return f"`{self.symbol}` was renamed to `{self.new_symbol}` in `{self.path}`"
        return (
            f"`{self.symbol}` changed its signature in `{self.path}`: "
            f"`{self.old_signature}` -> `{self.new_signature}`"
        )


def is_public(definition: Definition, language: LanguageInfo, text: str) -> bool:
    """Whether other code may depend on it, by each language's own convention."""
    names = [definition.name] + ([definition.parent] if definition.parent else [])
    signature = definition.signature
    if language.id == "go":
        return all(name[:1].isupper() for name in names)
    if language.id == "rust":
        return signature.startswith("pub")
    if language.id in ("java", "csharp"):
        return "private" not in signature.split("(")[0] and "protected" not in signature
    if language.id in ("javascript", "typescript", "tsx", "javascriptreact", "typescriptreact"):
        if definition.parent is not None:
            return not definition.name.startswith(("#", "_"))
        line_start = text.rfind("\n", 0, definition.start_byte) + 1
        return text[line_start : definition.start_byte + 20].lstrip().startswith("export")
    if language.id in ("c", "cpp"):
        return not signature.startswith("static")
    # Python, Ruby, Lua and the rest: a leading underscore means private; dunders are public.
    return all(not name.startswith("_") or _is_dunder(name) for name in names)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def public_symbols(text: str, path: str) -> dict[str, list[Definition]]:
    """Public API symbols of one file by qualified name; nested functions are not API."""
    language = language_for(None, path)
    definitions = extract_symbols(text, language).definitions
    bodies = [d for d in definitions if d.kind in ("function", "method")]
    found: dict[str, list[Definition]] = {}
    for definition in definitions:
        nested = any(
            outer.start_byte <= definition.start_byte
            and definition.end_byte <= outer.end_byte
            and outer is not definition
            for outer in bodies
        )
        if nested or definition.kind not in _API_KINDS:
            continue
        if not is_public(definition, language, text):
            continue
        name = definition.qualified_name
        found.setdefault(name, []).append(definition)
    return found


def changed_files(repo: git.Repo, old: str, new: str) -> list[tuple[str | None, str | None]]:
    """(old path, new path) of files that differ; None on the side where a file is absent."""
    output = run_git(repo, "diff", "--name-status", "-z", "-M", old, new)
    return _parse_name_status(output)


def _parse_name_status(output: str) -> list[tuple[str | None, str | None]]:
    fields = output.strip("\0").split("\0") if output.strip("\0") else []
    pairs: list[tuple[str | None, str | None]] = []
    index = 0
    while index < len(fields):
        status = fields[index]
        if status.startswith(("R", "C")):
            pairs.append((fields[index + 1], fields[index + 2]))
            index += 3
            continue
        path = fields[index + 1]
        pairs.append((None if status == "A" else path, None if status == "D" else path))
        index += 2
    return pairs


def _blob_text(repo: git.Repo, ref: str, path: str) -> str:
    try:
        data = repo.commit(ref).tree[path].data_stream.read()
    except KeyError:
        return ""
    return data.decode("utf-8", "replace")


def api_changes(
    repo: git.Repo,
    old: str,
    new: str,
    should_stop: Callable[[], bool] | None = None,
) -> list[ApiChange]:
    """Public symbols removed, renamed or re-signed from `old` to `new` (refs or shas)."""
    changes: list[ApiChange] = []
    for old_path, new_path in changed_files(repo, old, new):
        if should_stop and should_stop():
            break
        if old_path is None or language_for(None, old_path).grammar is None:
            continue  # a new file cannot break anything; no grammar, no symbols
        before = public_symbols(_blob_text(repo, old, old_path), old_path)
        after = (
            public_symbols(_blob_text(repo, new, new_path), new_path)
            if new_path is not None
            else {}
        )
        for change in _compare(before, after, new_path or old_path):
            paths = [p for p in {old_path, new_path} if p]
            cited = _touching_commits(repo, old, new, change.symbol, change.new_symbol, paths)
            changes.append(replace(change, commits=cited))
    return changes


def _compare(
    before: dict[str, list[Definition]], after: dict[str, list[Definition]], path: str
) -> list[ApiChange]:
    changes: list[ApiChange] = []
    removed = [name for name in before if name not in after]
    added = [name for name in after if name not in before]
    for name in before.keys() & after.keys():
        old_signatures = [_normal(d.signature) for d in before[name]]
        new_signatures = [_normal(d.signature) for d in after[name]]
        if sorted(old_signatures) != sorted(new_signatures):
            first = before[name][0]
            changes.append(
                ApiChange(
                    "signature",
                    path,
                    name,
                    first.kind,
                    first.signature,
                    after[name][0].signature,
                    None,
                    (),
                )
            )
    for name in removed:
        old = before[name][0]
        twin = next((n for n in added if _same_but_name(old, after[n][0])), None)
        if twin is not None:
            added.remove(twin)
            changes.append(
                ApiChange(
                    "renamed",
                    path,
                    name,
                    old.kind,
                    old.signature,
                    after[twin][0].signature,
                    twin,
                    (),
                )
            )
        else:
            changes.append(
                ApiChange("removed", path, name, old.kind, old.signature, None, None, ())
            )
    return sorted(changes, key=lambda c: (c.path, c.symbol))


def _normal(signature: str) -> str:
    return " ".join(signature.replace("( ", "(").replace(" )", ")").split())


def _same_but_name(old: Definition, new: Definition) -> bool:
    """A rename: same kind and parent, and the same signature once the name is masked."""
    if old.kind != new.kind or old.parent != new.parent:
        return False
    masked_old = _normal(old.signature).replace(old.name, "\0", 1)
    masked_new = _normal(new.signature).replace(new.name, "\0", 1)
    return masked_old == masked_new


def _touching_commits(
    repo: git.Repo, old: str, new: str, symbol: str, new_symbol: str | None, paths: list[str]
) -> tuple[str, ...]:
    """The newest commits in old..new whose diff adds or removes a line naming the symbol."""
    names = [n.rsplit(".", 1)[-1] for n in (symbol, new_symbol) if n]
    names = [n for n in names if _IDENTIFIER.match(n)]
    if not names:
        return ()
    pattern = "|".join(re.escape(n) for n in names)
    output = run_git(
        repo,
        "log",
        "--format=%H",
        f"-n{_CITED_COMMITS}",
        f"-G{pattern}",  # git compiles -G patterns as extended regular expressions
        f"{old}..{new}",
        "--",
        *paths,
    )
    return tuple(line[:SHORT] for line in output.splitlines() if line)
