"""The Conventional Commits 1.0 parser, case by case from the specification."""

from __future__ import annotations

import pytest

from genls.history.conventional import parse, references


def test_type_scope_bang_description_body_and_footers():
    commit = parse(
        "feat(api)!: send an email when a product ships\n\n"
        "The body explains why.\n\nIt has two paragraphs.\n\n"
        "Reviewed-by: Z\nRefs #133\nBREAKING CHANGE: the `ship` endpoint\n  takes an id now"
    )
    assert commit is not None
    assert (commit.type, commit.scope, commit.description) == (
        "feat",
        "api",
        "send an email when a product ships",
    )
    assert commit.body == "The body explains why.\n\nIt has two paragraphs."
    assert [(f.token, f.value) for f in commit.footers] == [
        ("Reviewed-by", "Z"),
        ("Refs", "133"),
        ("BREAKING CHANGE", "the `ship` endpoint\n  takes an id now"),
    ]
    assert commit.breaking and commit.kind == "breaking"
    assert commit.breaking_description == "the `ship` endpoint\n  takes an id now"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("feat: a", "features"),
        ("FEAT: case-insensitive type", "features"),
        ("fix(parser): b", "fixes"),
        ("perf: c", "performance"),
        ("docs: d", "documentation"),
        ("refactor: e", "other"),
        ("chore(deps): f", "other"),
        ("fix!: g", "breaking"),
        ("feat: h\n\nBREAKING-CHANGE: the synonym counts too", "breaking"),
    ],
)
def test_kinds(message, kind):
    commit = parse(message)
    assert commit is not None and commit.kind == kind


@pytest.mark.parametrize(
    "message",
    [
        "Update the readme",
        "feat:missing space",
        "feat : space before the colon",
        "feat(scope: unclosed",
        "feat: ",
        "fix: subject\nbody without the blank line",
        "Merge branch 'feature'",
        "",
    ],
)
def test_not_conventional(message):
    assert parse(message) is None


def test_a_footer_like_line_inside_the_body_is_not_a_footer():
    commit = parse("fix: a\n\nThe note: this is prose.\nIt goes on.\n\nCloses #4")
    assert commit is not None
    assert commit.body == "The note: this is prose.\nIt goes on."
    assert [(f.token, f.value) for f in commit.footers] == [("Closes", "4")]
    assert not commit.breaking


def test_references_in_order_once():
    message = "fix: y (#34)\n\nCloses #2, see GH-5 and https://x.org/o/r/pull/7; again #34"
    assert references(message) == (34, 2, 5, 7)
    assert references("chore: bump to 1.2 &#39; not an issue") == ()
