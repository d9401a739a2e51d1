"""Rename across the workspace: the exact edits, on fixtures in four languages, then over LSP
against the real server (with the index, and without it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from genls.assist.rename import RenameError, Sources, prepare_rename, rename
from genls.assist.rename_syntax import rename_syntax
from genls.index.languages import LANGUAGES, language_for
from genls.index.symbols import extract_symbols
from tests.conftest import TINY_MODEL, change_document, open_document, server_config, start_session
from tests.rename_fixtures import GO, PYTHON, RUST, TYPESCRIPT, version, write
from tests.test_server_index import wait_for_index

ALL = {**PYTHON, **TYPESCRIPT, **GO, **RUST}


def sources_for(root: Path) -> Sources:
    """What the server gives rename: every file, and a definitions lookup (the index's)."""
    paths = tuple(sorted(p for p in root.rglob("*") if p.is_file()))

    def definitions_named(name: str):
        return [
            (path, d)
            for path in paths
            for d in extract_symbols(path.read_text(), language_for(None, str(path))).definitions
            if d.name == name
        ]

    return Sources(paths, lambda path: path.read_text(), definitions_named)


def apply(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end :]
    return text


def assert_parses(path: str, text: str) -> None:
    parser = language_for(None, path).parser()
    if parser is None:  # go.mod
        return
    root = parser.parse(text.encode()).root_node
    assert not root.has_error, f"{path} no longer parses:\n{text}"
    if path.endswith(".py"):
        compile(text, path, "exec")


@pytest.fixture
def files(workspace: Path) -> Path:
    write(workspace, version(ALL, perimeter="perimeter"))
    # Go's exported names are capitalised.
    write(workspace, version(GO, area="Area", perimeter="Perimeter"))
    return workspace


CASES = {
    # id: (file, text before the cursor's name, where the cursor is in the name, names)
    "python function at its definition": ("pkg/geometry.py", "def ", 1, ("area", "surface")),
    "python function at a qualified call": ("pkg/summary.py", "geometry.", 2, ("area", "surface")),
    "python function in a from-import": ("pkg/report.py", "import ", 0, ("area", "surface")),
    "python method at a call": ("pkg/report.py", "shape.", 3, ("perimeter", "outline")),
    "python method at its definition": ("pkg/geometry.py", "def ", 0, ("perimeter", "outline")),
    "typescript function at a namespace call": ("web/main.ts", "geo.", 1, ("area", "surface")),
    "typescript method at its definition": ("web/geo.ts", "  ", 2, ("perimeter", "outline")),
    "go function in its package": ("geo/more.go", "2 * ", 1, ("Area", "Surface")),
    "go method at a call": ("main.go", "r.", 1, ("Perimeter", "Outline")),
    "rust function in a use": ("src/main.rs", "geo::", 0, ("area", "surface")),
    "rust method at a call": ("src/main.rs", "r.", 1, ("perimeter", "outline")),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_rename_changes_every_reference_and_nothing_else(files: Path, case: str):
    relative, before, inside, (old, new) = CASES[case]
    text = (files / relative).read_text()
    offset = text.index(before + old) + len(before) + inside

    edited = rename(sources_for(files), files / relative, offset, new)

    is_go = relative.endswith(".go") or relative == "go.mod"
    area, perimeter = ("Area", "Perimeter") if is_go else ("area", "perimeter")
    renamed = {area: area, perimeter: perimeter} | {old: new}
    language_files = {
        ".py": PYTHON,
        ".ts": TYPESCRIPT,
        ".go": GO,
        ".rs": RUST,
    }[Path(relative).suffix]
    expected = version(language_files, renamed[area], renamed[perimeter])
    by_path = {str(f.path.relative_to(files)): f for f in edited}
    assert set(by_path) <= set(expected), "edits outside the language's files"
    for path, want in expected.items():
        got = apply(by_path[path].text, by_path[path].edits) if path in by_path else want
        if path not in by_path:
            original = version(language_files, area, perimeter)[path]
            assert original == want, f"{path} should have been edited"
        assert got == want, path
        assert_parses(path, got)


@pytest.mark.parametrize(
    ("relative", "before", "message"),
    [
        ("pkg/geometry.py", "def", "keyword"),
        ("pkg/summary.py", 'print("ar', "string"),
        ("pkg/geometry.py", "# are", "comment"),
        ("pkg/summary.py", "pri", "not defined in the workspace"),
        ("pkg/stats.py", "    are", "not defined in the workspace"),
        ("pkg/report.py", "dict(are", "not defined in the workspace"),
        ("web/main.ts", "counts = { are", "not defined in the workspace"),
    ],
)
def test_prepare_rename_refuses_what_is_not_a_workspace_symbol(files, relative, before, message):
    text = (files / relative).read_text()
    with pytest.raises(RenameError, match=message):
        prepare_rename(sources_for(files), files / relative, text.index(before) + len(before))


@pytest.mark.parametrize(
    ("new_name", "message"),
    [
        ("for", "not a valid name in python"),
        ("None", "not a valid name in python"),
        ("2d", "not a valid name"),
        ("two words", "not a valid name"),
        ("SCALE", "already exists in geometry.py:3"),
        ("area", "same as the old one"),
    ],
)
def test_rename_refuses_an_invalid_or_taken_name(files, new_name, message):
    text = (files / "pkg/geometry.py").read_text()
    with pytest.raises(RenameError, match=message):
        rename(sources_for(files), files / "pkg/geometry.py", text.index("def area") + 4, new_name)


def test_a_method_name_shared_by_two_classes_is_refused(files):
    path = files / "pkg" / "geometry.py"
    path.write_text(
        path.read_text() + "\n\nclass Circle:\n    def perimeter(self):\n        return 3\n"
    )
    text = path.read_text()
    with pytest.raises(RenameError, match="Circle also has a method `perimeter`"):
        prepare_rename(sources_for(files), path, text.index("def perimeter") + 4)


def test_a_method_cannot_take_the_name_of_another_member(files):
    text = (files / "pkg/geometry.py").read_text()
    with pytest.raises(RenameError, match=r"`width` already exists in geometry\.py"):
        rename(sources_for(files), files / "pkg/geometry.py", text.index("def perim") + 4, "width")


@pytest.mark.parametrize(
    "language", [lang for lang in LANGUAGES if rename_syntax(lang)], ids=lambda lang: lang.id
)
def test_every_rename_table_names_real_node_types_and_fields(language):
    """A typo in a language.toml [rename] table would silently rename nothing."""
    syntax = rename_syntax(language)
    grammar = language.grammar
    for node_type in syntax.identifiers:
        assert grammar.id_for_node_kind(node_type, True) is not None, node_type
    for place in syntax.members | syntax.not_references:
        node_type, field = place.split(".")
        assert grammar.id_for_node_kind(node_type, True) is not None, place
        assert grammar.field_id_for_name(field) is not None, place


def test_python_typescript_go_and_rust_can_be_renamed():
    ids = {lang.id for lang in LANGUAGES if rename_syntax(lang)}
    assert {"python", "typescript", "typescriptreact", "javascript", "go", "rust"} <= ids


# -- over LSP ----------------------------------------------------------------------------------


def lsp_apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (the fixtures are ASCII: characters are UTF-16 units)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    ordered = sorted(edits, key=lambda e: offset(e.range.start), reverse=True)
    for edit in ordered:
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def position(text: str, before: str, inside: int = 0) -> types.Position:
    offset = text.index(before) + len(before) + inside
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


@pytest_lsp.fixture(config=server_config())
async def indexed(lsp_client: LanguageClient, workspace):
    write(workspace, version({**PYTHON, **TYPESCRIPT}))
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        """VS Code accepts the server's file watcher registration."""

    # VS Code's capabilities: it supports versioned documentChanges.
    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"model": TINY_MODEL, "maxTokens": 8, "prewarm": False},
        editor="visual_studio_code",
    )
    yield
    await lsp_client.shutdown_session()


async def test_rename_over_lsp_edits_the_workspace_and_refuses_with_messages(
    indexed: LanguageClient, workspace: Path
):
    client = indexed
    await wait_for_index(client)
    files = version({**PYTHON, **TYPESCRIPT})
    # report.py is open with an unsaved extra call: the rename must edit what the editor has.
    report_uri = (workspace / "pkg/report.py").as_uri()
    open_document(client, report_uri, files["pkg/report.py"])
    unsaved = files["pkg/report.py"] + "\n\ndef double(w):\n    return 2 * area(w, w)\n"
    change_document(client, report_uri, 2, unsaved)
    geometry_uri = (workspace / "pkg/geometry.py").as_uri()
    geometry = files["pkg/geometry.py"]
    open_document(client, geometry_uri, geometry)

    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=geometry_uri),
            position=position(geometry, "def ar"),
        )
    )
    assert prepared.placeholder == "area"
    assert prepared.range == types.Range(
        start=position(geometry, "def "), end=position(geometry, "def area")
    )

    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=geometry_uri),
            position=position(geometry, "def ar"),
            new_name="surface",
        )
    )
    changes = {change.text_document.uri: change for change in edit.document_changes}
    expected = version({**PYTHON, **TYPESCRIPT}, area="surface")
    expected["pkg/report.py"] = expected["pkg/report.py"] + (
        "\n\ndef double(w):\n    return 2 * surface(w, w)\n"
    )
    assert set(changes) == {
        (workspace / p).as_uri() for p in ("pkg/geometry.py", "pkg/report.py", "pkg/summary.py")
    }
    assert changes[report_uri].text_document.version == 2
    assert changes[geometry_uri].text_document.version == 1
    assert changes[(workspace / "pkg/summary.py").as_uri()].text_document.version is None
    originals = files | {"pkg/report.py": unsaved}
    for path in ("pkg/geometry.py", "pkg/report.py", "pkg/summary.py"):
        got = lsp_apply(originals[path], changes[(workspace / path).as_uri()].edits)
        assert got == expected[path], path
        assert_parses(path, got)

    # A method, from a call in a file that imports its module under another name.
    summary = files["pkg/summary.py"]
    summary_uri = (workspace / "pkg/summary.py").as_uri()
    open_document(client, summary_uri, summary)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=summary_uri),
            position=position(summary, ").per"),
            new_name="outline",
        )
    )
    changes = {change.text_document.uri: change for change in edit.document_changes}
    expected = version(PYTHON, perimeter="outline")
    originals = files | {"pkg/report.py": unsaved}
    assert set(changes) == {
        (workspace / p).as_uri() for p in ("pkg/geometry.py", "pkg/report.py", "pkg/summary.py")
    }
    for path in ("pkg/geometry.py", "pkg/summary.py"):
        got = lsp_apply(originals[path], changes[(workspace / path).as_uri()].edits)
        assert got == expected[path], path

    # TypeScript: a function exported and used by name and through a namespace import.
    main_ts = files["web/main.ts"]
    main_uri = (workspace / "web/main.ts").as_uri()
    open_document(client, main_uri, main_ts, language="typescript")
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=main_uri),
            position=position(main_ts, "return ar"),
            new_name="surface",
        )
    )
    changes = {change.text_document.uri: change for change in edit.document_changes}
    expected = version(TYPESCRIPT, area="surface")
    assert set(changes) == {(workspace / p).as_uri() for p in ("web/geo.ts", "web/main.ts")}
    for path in ("web/geo.ts", "web/main.ts"):
        got = lsp_apply(files[path], changes[(workspace / path).as_uri()].edits)
        assert got == expected[path], path
        assert_parses(path, got)

    await assert_refusals(client, workspace)


async def assert_refusals(client: LanguageClient, workspace: Path) -> None:
    files = version(PYTHON)
    uri = (workspace / "pkg/summary.py").as_uri()
    open_document(client, uri, files["pkg/summary.py"])
    text = files["pkg/summary.py"]
    for before, message in [
        ("    pri", "not defined in the workspace"),  # a builtin
        ('print("ar', "inside a string"),
        ("imp", "keyword"),
    ]:
        with pytest.raises(JsonRpcException, match=message):
            await client.text_document_prepare_rename_async(
                types.PrepareRenameParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=position(text, before),
                )
            )
    with pytest.raises(JsonRpcException, match="not a valid name in python"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position(text, "geometry.ar"),
                new_name="lambda",
            )
        )


@pytest_lsp.fixture(config=server_config())
async def unindexed(lsp_client: LanguageClient, workspace):
    write(workspace, version(PYTHON))
    await start_session(
        lsp_client,
        workspace.as_uri(),
        {"model": TINY_MODEL, "maxTokens": 8, "prewarm": False, "index": False},
    )
    yield
    await lsp_client.shutdown_session()


async def test_without_the_index_rename_edits_the_open_file_only(
    unindexed: LanguageClient, workspace: Path
):
    client = unindexed
    files = version(PYTHON)
    geometry_uri = (workspace / "pkg/geometry.py").as_uri()
    open_document(client, geometry_uri, files["pkg/geometry.py"])
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=geometry_uri),
            position=position(files["pkg/geometry.py"], "def ar"),
            new_name="surface",
        )
    )
    # Neovim's capabilities: no documentChanges, so plain changes.
    assert edit.document_changes is None and list(edit.changes) == [geometry_uri]
    got = lsp_apply(files["pkg/geometry.py"], edit.changes[geometry_uri])
    assert got == version(PYTHON, area="surface")["pkg/geometry.py"]

    summary_uri = (workspace / "pkg/summary.py").as_uri()
    open_document(client, summary_uri, files["pkg/summary.py"])
    with pytest.raises(JsonRpcException, match="without the workspace index"):
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(
                text_document=types.TextDocumentIdentifier(uri=summary_uri),
                position=position(files["pkg/summary.py"], "geometry.ar"),
            )
        )
