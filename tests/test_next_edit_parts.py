"""The parts of next-edit suggestions that need no model: the edit history, the rename by
hand, the window and its prompt, the checks on a model's rewrite, prompt-lookup drafts."""

from __future__ import annotations

from genls.assist.edit_history import EditEvent, EditHistory, changed_span
from genls.assist.next_edit import NextEditRequest, checked_edit
from genls.assist.next_edit_calls import calls_to_update, changed_signature
from genls.assist.next_edit_prompt import (
    FILE_SEPARATOR,
    answer_window,
    build_next_edit_prompt,
    edit_window,
    settled_answer,
    window_before,
)
from genls.assist.next_edit_rename import next_use, remaining_uses, renamed_name
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource
from genls.llm.prompt_lookup import MAX_DRAFT, MIN_DRAFT, SourceLookup

PYTHON = language_for("python", "m.py")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_changed_span_finds_the_one_differing_range():
    assert changed_span("abcdef", "abXYef") == (2, 4, 4)
    assert changed_span("abc", "abc") == (3, 3, 3)
    assert changed_span("aaa", "aaaa") == (3, 3, 4)
    assert changed_span("", "x") == (0, 0, 1)


def test_typing_on_one_line_is_one_event_and_a_pause_starts_another():
    clock = Clock()
    history = EditHistory(clock=clock)
    history.opened("u", "a = 1\nb = 2\n")
    for text in ("a = 12\nb = 2\n", "a = 123\nb = 2\n"):
        clock.now += 0.2
        history.changed("u", text)
    [event] = history.events("u")
    assert (event.before, event.after) == ("a = 1\nb = 2\n", "a = 123\nb = 2\n")
    clock.now += 2.0  # a pause longer than 1.5 s
    history.changed("u", "a = 1234\nb = 2\n")
    assert [e.after for e in history.events("u")] == ["a = 123\nb = 2\n", "a = 1234\nb = 2\n"]


def test_a_change_on_a_far_line_starts_a_new_event():
    clock = Clock()
    history = EditHistory(clock=clock)
    text = "".join(f"x{i} = {i}\n" for i in range(10))
    history.opened("u", text)
    first = text.replace("x0 = 0", "x0 = 00")
    history.changed("u", first)
    clock.now += 0.1
    second = first.replace("x8 = 8", "x8 = 88")
    history.changed("u", second)
    events = history.events("u")
    assert [(e.before, e.after) for e in events] == [(text, first), (first, second)]


def test_an_accepted_suggestion_is_an_event_of_its_own():
    clock = Clock()
    history = EditHistory(clock=clock)
    history.opened("u", "x = 1\n")
    history.changed("u", "x = 12\n")  # typed
    clock.now += 0.1
    history.changed("u", "x = 12345\n")  # a suggestion applied...
    history.accepted("u")  # ... and reported taken
    clock.now += 0.1
    history.changed("u", "x = 123456\n")
    events = history.events("u")
    assert [(e.before, e.after, e.accepted) for e in events] == [
        ("x = 1\n", "x = 12\n", False),
        ("x = 12\n", "x = 12345\n", True),
        ("x = 12345\n", "x = 123456\n", False),
    ]


def test_the_history_keeps_the_last_ten_events_and_forgets_a_closed_document():
    clock = Clock()
    history = EditHistory(clock=clock)
    history.opened("u", "")
    for i in range(15):
        clock.now += 5
        history.changed("u", f"v{i}\n")
    events = history.events("u")
    assert len(events) == 10 + 1  # ten closed, and the open one
    assert events[-1].after == "v14\n"
    history.closed("u")
    assert history.events("u") == []


SOURCE = """\
def area(width, height):
    count = width * height
    print(count, "count")
    return count


count = 3
"""


def test_a_rename_by_hand_offers_the_next_use_in_the_same_function():
    after = SOURCE.replace("    count = width", "    total = width", 1)
    renamed = renamed_name(EditEvent(SOURCE, after))
    assert (renamed.old, renamed.new) == ("count", "total")
    uses = remaining_uses(ParsedSource(after, PYTHON), renamed)
    # The two uses in the function; not the string, not the module-level `count`.
    assert [after[u.start : u.end] for u in uses] == ["count", "count"]
    assert [after.count("\n", 0, u.start) for u in uses] == [2, 3]
    cursor = after.index("total") + len("total")
    assert next_use(uses, cursor) == uses[0]
    assert next_use(uses, len(after)) == uses[0]  # wraps to the first


def test_a_partly_typed_name_is_a_rename_too_but_an_edit_inside_an_expression_is_not():
    half = SOURCE.replace("    count = width", "    cou = width", 1)
    assert renamed_name(EditEvent(SOURCE, half)).new == "cou"
    assert (
        renamed_name(EditEvent(SOURCE, SOURCE.replace("width * height", "width + height"))) is None
    )
    assert renamed_name(EditEvent(SOURCE, SOURCE.replace("count = 3", "count = 4"))) is None


def test_a_renamed_member_offers_members_and_a_renamed_function_the_whole_file():
    code = "class A:\n    def f(self):\n        self.size = 1\n        return self.size + size\n"
    after = code.replace("self.size = 1", "self.length = 1")
    renamed = renamed_name(EditEvent(code, after))
    uses = remaining_uses(ParsedSource(after, PYTHON), renamed)
    assert len(uses) == 1 and after[uses[0].start - 5 : uses[0].end] == "self.size"
    module = "def load():\n    pass\n\n\ndef main():\n    load()\n    load()\n"
    renamed_module = module.replace("def load", "def read")
    renamed = renamed_name(EditEvent(module, renamed_module))
    found = remaining_uses(ParsedSource(renamed_module, PYTHON), renamed)
    assert len(found) == 2  # the calls inside main, outside the renamed function


def test_the_window_is_whole_lines_around_the_cursor():
    text = "".join(f"line {i}\n" for i in range(30))
    window = edit_window(text, text.index("line 15"), 3, 2)
    assert window.text == "".join(f"line {i}\n" for i in range(12, 18))
    assert not window.at_file_start and not window.at_file_end
    top = edit_window(text, 0, 3, 2)
    assert top.at_file_start and top.text.startswith("line 0\n")
    bottom = edit_window(text, len(text), 2, 2)
    assert bottom.at_file_end and bottom.text == "line 28\nline 29\n"


def test_the_window_before_the_last_edit_maps_lines_across_the_edit():
    before = "".join(f"line {i}\n" for i in range(10))
    after = before.replace("line 4\n", "line 4\nnew line\n")
    window = edit_window(after, after.index("new line"), 2, 2)
    assert window.text == "line 3\nline 4\nnew line\nline 5\nline 6\n"
    assert window_before(EditEvent(before, after), window) == "line 3\nline 4\nline 5\nline 6\n"


def test_the_prompt_puts_what_changes_least_first_and_ends_where_the_model_writes():
    before = SOURCE
    after = SOURCE.replace("    count = width", "    total = width", 1)
    window = edit_window(after, after.index("total"), 1, 1)
    earlier = EditEvent(before.replace("height", "h"), before)
    prompt = build_next_edit_prompt(
        path="geo.py",
        text=after,
        window=window,
        original=window_before(EditEvent(before, after), window),
        events=[earlier, EditEvent(before, after)],
        snippets=[],
        count_tokens=lambda text: len(text) // 4,
        context_tokens=1024,
    )
    assert prompt.index("geo.py.diff") < prompt.index("original/geo.py")
    assert prompt.index("original/geo.py") < prompt.index("current/geo.py")
    assert prompt.endswith(f"{FILE_SEPARATOR}updated/geo.py\n")
    current = prompt[prompt.index("current/geo.py") :]
    assert "total = width" in current
    original = prompt[prompt.index("original/geo.py") : prompt.index("current/geo.py")]
    assert "count = width" in original


def test_the_answer_ends_at_the_next_file_and_keeps_the_window_ending():
    window = edit_window("a\nb\nc\n", 2, 1, 1)
    assert answer_window("a\nB\nc<|file_sep|>x.py\n", window) == "a\nB\nc\n"
    assert answer_window("a\nB\nc\n<|endoftext|>", window) == "a\nB\nc\n"


def _request(text: str, before: str) -> NextEditRequest:
    source = ParsedSource(text, PYTHON)
    return NextEditRequest("u", "m.py", source, 0, "python", (EditEvent(before, text),))


BEFORE = "def f(a):\n    x = 1\n    y = 2\n    z = 3\n    return x\n\n\nprint(f(1))\n"
AFTER = BEFORE.replace("def f(a):", "def f(a, scale):")


def test_checks_keep_a_rewrite_inside_the_window_that_moves_forward():
    window = edit_window(AFTER, AFTER.index("y = 2"), 1, 1)  # lines x, y, z
    original = window_before(EditEvent(BEFORE, AFTER), window)
    forward = window.text.replace("y = 2", "y = 2 * scale")
    start, end, new_text = checked_edit(_request(AFTER, BEFORE), window, original, forward)
    assert AFTER[:start] + new_text + AFTER[end:] == AFTER.replace("y = 2", "y = 2 * scale")


def test_checks_refuse_no_change_the_window_edges_a_reversal_and_a_broken_parse():
    window = edit_window(AFTER, AFTER.index("y = 2"), 1, 1)
    request = _request(AFTER, BEFORE)
    original = window_before(EditEvent(BEFORE, AFTER), window)
    assert checked_edit(request, window, original, window.text) is None
    edge = window.text.replace("x = 1", "x = 10")  # the window's first line
    assert checked_edit(request, window, original, edge) is None
    broken = window.text.replace("y = 2", "y = (2")
    assert checked_edit(request, window, original, broken) is None
    # Taking back the person's edit: the window two lines higher holds the new parameter.
    top = edit_window(AFTER, 0, 0, 2)
    top_original = window_before(EditEvent(BEFORE, AFTER), top)
    assert checked_edit(request, top, top_original, top_original) is None


def test_the_lookup_drafts_what_the_source_has_next_and_finds_its_place_again():
    source = [*range(1, 6), 1, 2, *range(6, 30)]
    lookup = SourceLookup(source)
    assert lookup.draft()[:3] == [1, 2, 3]
    lookup.feed(1)
    lookup.feed(2)
    assert lookup.draft()[:2] == [3, 4]
    for token in (3, 4, 5):
        lookup.feed(token)
    lookup.feed(99)  # the answer inserts something the source does not have...
    lookup.feed(1)
    lookup.feed(2)  # ... then copies again: the nearest "1 2" ahead is the second one
    assert lookup.draft()[:2] == [6, 7]


def test_the_draft_grows_while_kept_whole_and_shrinks_after_a_rejection():
    lookup = SourceLookup(list(range(100)))
    first = len(lookup.draft())
    lookup.checked(first, first)
    assert len(lookup.draft()) == min(2 * first, MAX_DRAFT)
    lookup.checked(len(lookup.draft()), 1)
    assert len(lookup.draft()) == max(MIN_DRAFT, 2)


AREA = "def area(width, height):\n    return width * height\n\n\nprint(area(1, 2))\n"
CALLS = AREA + "x = shapes.area(3, 4)\ny = area(1, 2, 3)\n"


def test_a_parameter_added_to_a_definition_finds_the_calls_still_passing_the_old_ones():
    after = CALLS.replace("def area(width, height)", "def area(width, height, depth)")
    parsed = ParsedSource(after, PYTHON)
    signature = changed_signature(EditEvent(CALLS, after), parsed)
    assert (signature.name, signature.parameters) == ("area", 3)
    places = calls_to_update(parsed, signature)
    # The two calls with two arguments, at their closing parenthesis; not the one with three.
    assert [after[p - 4 : p + 1] for p in places] == ["1, 2)", "3, 4)"]


def test_an_edit_of_the_body_or_of_a_call_is_no_change_of_signature():
    body = CALLS.replace("width * height", "width + height")
    assert changed_signature(EditEvent(CALLS, body), ParsedSource(body, PYTHON)) is None
    call = CALLS.replace("print(area(1, 2))", "print(area(1, 2, 5))")
    assert changed_signature(EditEvent(CALLS, call), ParsedSource(call, PYTHON)) is None


def test_the_answer_is_settled_once_it_copies_the_window_again_after_its_change():
    current = "a = compute(1)\nb = compute(2)\nc = compute(3)\nd = compute(4)\ne = compute(5)\n"
    changed = "a = compute(1)\nb = compute(2) * k\n"
    assert settled_answer(changed, current) is None  # changed, not yet copying again
    assert settled_answer(changed + "c = compute(3)\n", current) is None  # one line back
    settled = settled_answer(changed + "c = compute(3)\nd = compute(4)\n", current)
    assert settled == current.replace("compute(2)", "compute(2) * k")
    copying = "a = compute(1)\nb = compute(2)\nc = compute(3)\n"
    assert settled_answer(copying, current) is None  # no change yet: it may come later
    assert settled_answer("y\n\n)\n", "x\n\n)\n\nz\n") is None  # trivial lines recur anywhere


def test_an_undo_of_the_last_edit_is_nothing_to_continue():
    from genls.assist.next_edit import _undone

    renamed = SOURCE.replace("    count = width", "    total = width", 1)
    rename = EditEvent(SOURCE, renamed)
    assert not _undone((rename,))
    assert _undone((rename, EditEvent(renamed, SOURCE)))
    assert not _undone((rename, EditEvent(renamed, renamed + "\n")))
