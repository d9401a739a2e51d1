"""Extract whole statements of a Python function into a new function, from the syntax tree.

Parameters are the names the selection reads that the enclosing function bound before it
(its parameters, earlier assignments, loop and with targets, imports); module globals and
builtins stay globals. Return values are the names the selection assigns that the function
reads after it (or anywhere in a loop around it). Both come in order of first appearance.

The new function is a module-level function placed after the top-level definition holding
the selection. A method using `self` gets `self` as an ordinary first parameter: that works
for methods, static and class methods and nested functions alike, and leaves the class's
interface unchanged (a new method would be one more public name on it). What a module-level
function cannot do is refused instead: zero-argument super() and private `__names` (both
depend on being written inside the class).

The result is compiled before it is offered; any failed check leaves the file untouched.
"""

from __future__ import annotations

import ast
import io
import itertools
import keyword
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from genls.assist.text_edit import TextEdit, apply_edits
from genls.errors import GenlsError

DEFAULT_NAME = "extracted"
_INDENT = "    "
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_ASYNC = (ast.Await, ast.AsyncFor, ast.AsyncWith)


class ExtractError(GenlsError):
    """The selection cannot be extracted; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Extraction:
    name: str
    parameters: tuple[str, ...]
    returns: tuple[str, ...]
    edits: tuple[TextEdit, ...]  # offsets into the original text
    text: str  # the whole file after the edits (it compiles)


def extract_function(
    text: str, start: int, end: int, name: str | None = None, filename: str = "<file>"
) -> Extraction:
    """Extract the statements selected by the character offsets [start, end) of `text` into a
    function called `name` (default: `extracted`, or `extracted_2`... when that is taken)."""
    if name is not None and (not name.isidentifier() or keyword.iskeyword(name)):
        raise ExtractError(f"{name!r} is not a valid function name")
    try:
        module = ast.parse(text, filename)
    except SyntaxError as exc:
        raise ExtractError(
            f"the file has syntax errors (line {exc.lineno}): fix them first"
        ) from exc
    source = _Source(text)
    selected, function, top = _selected_statements(module, source, start, end)
    _check_extractable(selected)
    parameters, returns = _data_flow(function, selected)
    taken = _module_names(module) | {u.name for u in _uses(function)} | _parameters(function.args)
    if name is None:
        name = next(n for n in _default_names() if n not in taken)
    elif name in taken:
        raise ExtractError(f"`{name}` already exists here: choose another name")
    is_async = any(isinstance(n, _ASYNC) for n in _walk_same_scope(selected))
    edits = _edits(source, selected, top, name, parameters, returns, is_async)
    new_text = apply_edits(text, edits)
    try:
        compile(new_text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:  # a bug here must never reach the user's file
        raise ExtractError(f"the extracted code does not compile ({exc.msg}): not applied") from exc
    return Extraction(name, parameters, returns, edits, new_text)


def _default_names() -> Iterator[str]:
    yield DEFAULT_NAME
    yield from (f"{DEFAULT_NAME}_{n}" for n in itertools.count(2))


# -- positions -------------------------------------------------------------------------------


class _Source:
    """Line/column (ast's: 1-based lines, UTF-8 byte columns) <-> character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True) or [""]
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, byte_column: int) -> int:
        raw = self.lines[line - 1].encode("utf-8")[:byte_column]
        return self.starts[line - 1] + len(raw.decode("utf-8", "replace"))

    def span(self, node: ast.stmt) -> tuple[int, int]:
        """From the first decorator (ast starts a decorated definition at `def`) to the end."""
        assert node.end_lineno is not None and node.end_col_offset is not None
        decorators = getattr(node, "decorator_list", [])
        line, column = node.lineno, node.col_offset
        if decorators:  # the @ is right before the decorator's expression
            line, column = decorators[0].lineno, decorators[0].col_offset - 1
        return self.offset(line, column), self.offset(node.end_lineno, node.end_col_offset)

    def line_of(self, offset: int) -> int:
        """1-based line holding the offset."""
        low, high = 0, len(self.lines) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def indentation(self, line: int) -> str:
        text = self.lines[line - 1]
        return text[: len(text) - len(text.lstrip(" \t"))]


def _only_blank_or_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("#") for line in text.split("\n"))


# -- which statements ------------------------------------------------------------------------


def _statement_lists(node: ast.AST) -> list[list[ast.stmt]]:
    """Every block of statements in the tree."""
    blocks = []
    for owner in ast.walk(node):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(owner, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                blocks.append(block)
    return blocks


def _selected_statements(
    module: ast.Module, source: _Source, start: int, end: int
) -> tuple[list[ast.stmt], ast.FunctionDef | ast.AsyncFunctionDef, ast.stmt]:
    """The statements the selection covers exactly (blank lines and comments around them are
    allowed), the function holding them and the top-level statement holding that."""
    text = source.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise ExtractError("select the statements to extract")
    # The outermost statements inside the selection: a selected loop, not its body.
    best: list[ast.stmt] = []
    for block in _statement_lists(module):
        inside = [s for s in block if start <= source.span(s)[0] and source.span(s)[1] <= end]
        if inside and (not best or _extent(source, inside) > _extent(source, best)):
            best = inside
    if not best:
        raise ExtractError("the selection must be whole statements")
    inside = best
    # Whole statements: nothing but blanks and comments between the selection's ends and them
    # (a statement cut by either end leaves code there).
    first, last = source.span(inside[0])[0], source.span(inside[-1])[1]
    if not _only_blank_or_comments(text[start:first]) or not _only_blank_or_comments(
        text[last:end]
    ):
        raise ExtractError("the selection must be whole statements")
    # Statements sharing a line with the selected ones (`a = 1; b = 2`) cannot be split off.
    line_start = source.starts[source.line_of(first) - 1]
    line_end = source.starts[source.line_of(last)]
    if text[line_start:first].strip() or not _only_blank_or_comments(text[last:line_end]):
        raise ExtractError("the selection must be whole statements (whole lines)")
    function = _enclosing_function(module, inside[0])
    if function is None:
        raise ExtractError("select statements inside a function")
    top = next(s for s in module.body if s.lineno <= function.lineno <= (s.end_lineno or 0))
    return inside, function, top


def _extent(source: _Source, statements: list[ast.stmt]) -> int:
    return source.span(statements[-1])[1] - source.span(statements[0])[0]


def _enclosing_function(
    module: ast.Module, target: ast.stmt
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The innermost function whose body (not a nested class's) holds the statement."""
    found = None

    def visit(node: ast.AST, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        nonlocal found
        for child in ast.iter_child_nodes(node):
            if child is target:
                found = function
                return
            if isinstance(child, _FUNCTIONS):
                visit(child, child)
            elif isinstance(child, ast.ClassDef):
                visit(child, None)
            else:
                visit(child, function)

    visit(module, None)
    return found


# -- what cannot move ------------------------------------------------------------------------


def _walk_same_scope(nodes: list[ast.stmt]):
    """Every node of the statements, not descending into nested functions, lambdas, classes."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _SCOPES))


def _check_extractable(selected: list[ast.stmt]) -> None:
    for node in _walk_same_scope(selected):
        if isinstance(node, ast.Return):
            raise ExtractError("the selection contains `return`, which would change meaning")
        if isinstance(node, ast.Yield | ast.YieldFrom):
            raise ExtractError("the selection contains `yield`, which would change meaning")
        if isinstance(node, ast.Nonlocal | ast.Global):
            raise ExtractError("the selection contains `nonlocal` or `global`")
    for node in _loose_jumps(selected):
        word = "break" if isinstance(node, ast.Break) else "continue"
        raise ExtractError(f"the selection contains `{word}` outside a loop it also contains")
    for node in (n for s in selected for n in ast.walk(s)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "super"
            and not node.args
        ):
            raise ExtractError(
                "the selection calls super() without arguments: it only works in the class"
            )
        if isinstance(node, ast.Attribute) and _mangled(node.attr):
            raise ExtractError(
                f"the selection uses the private name {node.attr}, mangled by its class"
            )


def _mangled(name: str) -> bool:
    return name.startswith("__") and not name.endswith("__")


def _loose_jumps(selected: list[ast.stmt]) -> list[ast.stmt]:
    """break/continue whose loop is outside the selection."""
    loose: list[ast.stmt] = []

    def visit(node: ast.AST, in_loop: bool) -> None:
        if isinstance(node, ast.Break | ast.Continue) and not in_loop:
            loose.append(node)
        for field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for child in children:
                if not isinstance(child, ast.AST) or isinstance(child, _SCOPES):
                    continue
                # A loop's body and else are inside it; its header and else clause bind as
                # in the enclosing code (break in a loop's else leaves the outer loop).
                looping = in_loop or (isinstance(node, _LOOPS) and field == "body")
                visit(child, looping)

    for statement in selected:
        visit(statement, False)
    return loose


# -- data flow -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Use:
    name: str
    position: tuple[int, int]  # (line, column) of the name
    store: bool
    load: bool


def _uses(node: ast.AST) -> list[_Use]:
    """The names the code reads and binds in the function's own scope, in source order.

    Names local to a nested scope (a lambda's or nested function's parameters and assignments,
    a comprehension's targets) are left out; what such a scope reads from outside is kept.
    """
    uses: list[_Use] = []

    def add(name: str, at: ast.AST, store: bool, load: bool) -> None:
        uses.append(_Use(name, (at.lineno, at.col_offset), store, load))  # type: ignore[attr-defined]

    def visit(node: ast.AST, hidden: frozenset[str]) -> None:
        if isinstance(node, ast.Name):
            if node.id not in hidden:
                add(
                    node.id,
                    node,
                    isinstance(node.ctx, ast.Store | ast.Del),
                    isinstance(node.ctx, ast.Load),
                )
            return
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id not in hidden:
                visit(node.value, hidden)
                add(node.target.id, node.target, True, True)
            return
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            for decorator in node.decorator_list:
                visit(decorator, hidden)
            if isinstance(node, _FUNCTIONS):
                for default in [*node.args.defaults, *node.args.kw_defaults]:
                    if default is not None:
                        visit(default, hidden)
            if node.name not in hidden:
                add(node.name, node, True, False)
            inner = hidden | _bound_inside(node)
            for statement in node.body:
                visit(statement, inner)
            return
        if isinstance(node, ast.Lambda):
            visit(node.body, hidden | _parameters(node.args))
            return
        if isinstance(node, _COMPREHENSIONS):
            targets = frozenset(
                n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
            )
            visit(node.generators[0].iter, hidden)  # evaluated in the enclosing scope
            inner = hidden | targets
            for generator in node.generators:
                if generator is not node.generators[0]:
                    visit(generator.iter, inner)
                for condition in generator.ifs:
                    visit(condition, inner)
            for part in ("elt", "key", "value"):
                if hasattr(node, part):
                    visit(getattr(node, part), inner)
            return
        if isinstance(node, ast.alias):
            bound = (node.asname or node.name).split(".")[0]
            if bound != "*" and bound not in hidden:
                add(bound, node, True, False)
            return
        if isinstance(node, ast.ExceptHandler) and node.name and node.name not in hidden:
            if node.type is not None:
                visit(node.type, hidden)
            add(node.name, node, True, False)
            for statement in node.body:
                visit(statement, hidden)
            return
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
            # The value is evaluated before the targets are bound.
            if node.value is not None:
                visit(node.value, hidden)
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                visit(target, hidden)
            if isinstance(node, ast.AnnAssign):
                visit(node.annotation, hidden)
            return
        if isinstance(node, ast.For | ast.AsyncFor):
            visit(node.iter, hidden)
            visit(node.target, hidden)
            for statement in [*node.body, *node.orelse]:
                visit(statement, hidden)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, hidden)

    visit(node, frozenset())
    return uses


def _parameters(arguments: ast.arguments) -> frozenset[str]:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return frozenset(a.arg for a in every)


def _bound_inside(function: ast.AST) -> frozenset[str]:
    """A nested scope's own names: its parameters and what it assigns (unless declared
    nonlocal or global)."""
    names = set(_parameters(function.args)) if isinstance(function, _FUNCTIONS) else set()
    declared: set[str] = set()
    for node in ast.walk(function):
        if node is not function and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Nonlocal | ast.Global):
            declared.update(node.names)
    return frozenset(names - declared)


def _data_flow(
    function: ast.FunctionDef | ast.AsyncFunctionDef, selected: list[ast.stmt]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    first, last = selected[0], selected[-1]
    begin = (first.lineno, first.col_offset)
    finish = (last.end_lineno or 0, last.end_col_offset or 0)
    uses = [use for statement in function.body for use in _uses(statement)]
    before = {u.name for u in uses if u.store and u.position < begin}
    before |= _parameters(function.args)
    inside = [u for u in uses if begin <= u.position <= finish]
    loop = _innermost_loop(function, first)
    if loop is not None:  # the next iteration reads what this one assigned
        loop_span = ((loop.lineno, loop.col_offset), (loop.end_lineno or 0, 0))
        after_or_again = {
            u.name
            for u in uses
            if u.load and (u.position > finish or loop_span[0] <= u.position < begin)
        }
    else:
        after_or_again = {u.name for u in uses if u.load and u.position > finish}
    surely_bound = _surely_assigned(selected)
    parameters: list[str] = []
    for use in inside:
        if use.name in parameters or use.name not in before:
            continue
        first_use = next(u for u in inside if u.name == use.name)
        if first_use.load or use.name not in surely_bound:
            parameters.append(use.name)
    returns = list(dict.fromkeys(u.name for u in inside if u.store and u.name in after_or_again))
    # A name returned but maybe not assigned in the selection keeps its earlier value.
    for name in returns:
        if name in before and name not in surely_bound and name not in parameters:
            parameters.append(name)
    # Decided in evaluation order (`x = x + 1` reads x first); listed in reading order.
    first_seen: dict[str, tuple[int, int]] = {}
    for use in inside:
        first_seen[use.name] = min(first_seen.get(use.name, use.position), use.position)
    return (
        tuple(sorted(parameters, key=first_seen.__getitem__)),
        tuple(sorted(returns, key=first_seen.__getitem__)),
    )


def _surely_assigned(selected: list[ast.stmt]) -> set[str]:
    """Names every run of the selection binds: targets of its own top-level statements."""
    names: set[str] = set()
    for statement in selected:
        targets: list[ast.AST] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign) and (
            not isinstance(statement, ast.AnnAssign) or statement.value is not None
        ):
            targets = [statement.target]
        elif isinstance(statement, ast.With | ast.AsyncWith):
            targets = [i.optional_vars for i in statement.items if i.optional_vars is not None]
            names |= _surely_assigned(statement.body)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in statement.names}
        elif isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
            names.add(statement.name)
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _innermost_loop(function: ast.AST, target: ast.stmt) -> ast.AST | None:
    loop = None
    for node in _walk_same_scope(function.body):  # type: ignore[attr-defined]
        contains = isinstance(node, _LOOPS) and any(s is target for s in ast.walk(node))
        if contains and (loop is None or node.lineno >= loop.lineno):
            loop = node
    return loop


def _module_names(module: ast.Module) -> set[str]:
    return {u.name for statement in module.body for u in _uses(statement) if u.store}


# -- the edit --------------------------------------------------------------------------------


def _edits(
    source: _Source,
    selected: list[ast.stmt],
    top: ast.stmt,
    name: str,
    parameters: tuple[str, ...],
    returns: tuple[str, ...],
    is_async: bool,
) -> tuple[TextEdit, TextEdit]:
    first_line = source.line_of(source.span(selected[0])[0])
    last_line = selected[-1].end_lineno or selected[-1].lineno
    indent = source.indentation(first_line)
    body = _reindent(source, first_line, last_line, indent)
    arguments = ", ".join(parameters)
    results = ", ".join(returns)
    definition = f"{'async ' if is_async else ''}def {name}({arguments}):\n{body}"
    if returns:
        definition += f"{_indent_unit(indent)}return {results}\n"
    call = f"{'await ' if is_async else ''}{name}({arguments})"
    call_line = f"{indent}{results} = {call}\n" if returns else f"{indent}{call}\n"
    replace = TextEdit(source.starts[first_line - 1], source.starts[last_line], call_line)
    top_end = source.starts[min(top.end_lineno or top.lineno, len(source.lines))]
    newline = "" if source.text[:top_end].endswith("\n") else "\n"
    insert = TextEdit(top_end, top_end, f"{newline}\n\n{definition}")
    return replace, insert


def _indent_unit(block_indent: str) -> str:
    """One level of indentation as the file writes it: a tab where blocks use tabs."""
    return "\t" if block_indent.startswith("\t") else _INDENT


def _reindent(source: _Source, first: int, last: int, indent: str) -> str:
    """The lines moved one level under `def`, lines inside multi-line strings untouched."""
    inside_strings = _string_continuation_lines(source.text)
    lines = []
    for number in range(first, last + 1):
        line = source.lines[number - 1]
        if not line.endswith("\n"):
            line += "\n"
        if number in inside_strings:
            lines.append(line)
        elif not line.strip():
            lines.append("\n")
        else:
            rest = line[len(indent) :] if line.startswith(indent) else line.lstrip()
            lines.append(_indent_unit(indent) + rest)
    return "".join(lines)


def _string_continuation_lines(text: str) -> set[int]:
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                lines.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines
