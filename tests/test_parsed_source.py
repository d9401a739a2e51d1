"""A request parses each version of a document once: the code-action offers, the region to
refactor, the diagrams at the cursor, the next-edit checks and a rename's files each read one
ParsedSource."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from tree_sitter import Parser

from genls.assist.code_action_offers import model_offers
from genls.assist.doc_target import find_targets, target_at
from genls.assist.edit_history import EditEvent
from genls.assist.next_edit_calls import calls_to_update, changed_signature
from genls.assist.next_edit_rename import remaining_uses, renamed_name
from genls.assist.refactor import region_for
from genls.assist.rename import Sources, prepare_rename, rename
from genls.index.languages import LanguageInfo, language_for
from genls.index.symbols import ParsedSource

CODE = """\
class Shape:
    def area(self, width, height):
        size = width * height
        return size


def total(shapes):
    return sum(s.area(1, 2) for s in shapes)
"""


@dataclass(frozen=True)
class CountingLanguage(LanguageInfo):
    """A bundled language that counts the parsers asked of it: one per parse."""

    parsers: list[Parser] = field(default_factory=list, compare=False, hash=False)

    def parser(self) -> Parser | None:
        made = super().parser()
        if made is not None:
            self.parsers.append(made)
        return made

    @classmethod
    def of(cls, language: LanguageInfo) -> CountingLanguage:
        return cls(**{f.name: getattr(language, f.name) for f in fields(LanguageInfo)})


def test_everything_a_code_action_request_asks_reads_one_parse():
    python = CountingLanguage.of(language_for("python", "shape.py"))
    source = ParsedSource(CODE, python)
    line = CODE.split("\n").index("        size = width * height")
    offers = model_offers(source, line, (line, line), outdated=lambda target: False)
    titles = [offer.title for offer in offers]
    assert "Generate docstring for area" in titles
    assert "Refactor with an instruction…" in titles
    assert source.symbols.innermost(line).qualified_name == "Shape.area"  # the diagram's
    assert region_for(source, line, line) == (1, 3)
    assert target_at(source, line).name == "area"
    assert len(find_targets(source)) == 3
    assert len(python.parsers) == 1


def test_the_next_edit_checks_parse_the_text_before_and_after_the_edit_once_each():
    python = CountingLanguage.of(language_for("python", "shape.py"))
    after = CODE.replace("    size = width * height", "    surface = width * height")
    now = ParsedSource(after, python)
    event = EditEvent(CODE, after)
    renamed = renamed_name(event)
    assert [after[use.start : use.end] for use in remaining_uses(now, renamed)] == ["size"]
    assert changed_signature(event, now) is None  # a body changed, not a signature
    widened = after.replace("def area(self, width, height)", "def area(self, width, height, d)")
    wider = ParsedSource(widened, python)
    signature = changed_signature(EditEvent(after, widened), wider)
    assert [widened[p - 4 : p + 1] for p in calls_to_update(wider, signature)] == ["1, 2)"]
    # Two requests, each parsing the text before its edit and the text now once.
    assert len(python.parsers) == 4


def test_a_rename_reads_and_parses_each_file_once(tmp_path, monkeypatch):
    made: list[str] = []
    parser = LanguageInfo.parser
    monkeypatch.setattr(LanguageInfo, "parser", lambda self: made.append(self.id) or parser(self))
    shapes, use = tmp_path / "shapes.py", tmp_path / "use.py"
    shapes.write_text(CODE)
    use.write_text("from shapes import total\n\nprint(total([]))\n")
    sources = Sources((shapes, use), lambda path: path.read_text())
    offset = CODE.index("def total") + len("def ")
    assert prepare_rename(sources, shapes, offset).name == "total"
    renamed = rename(sources, shapes, offset, "sum_of_areas")
    assert sorted(edit.path.name for edit in renamed) == ["shapes.py", "use.py"]
    # Each file once for both steps, and each edited text once for the check that it parses.
    assert made == ["python"] * 4
