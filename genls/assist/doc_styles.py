"""Documentation conventions: DocContent rendered as a Python docstring (Google, NumPy or Sphinx),
JSDoc/TSDoc, a Go doc comment, rustdoc, Javadoc or Doxygen, and read back.

Rendering is deterministic: the model only writes the sentences. Reading back (which parameters
a documentation block names) checks what was rendered and finds documentation that no longer
matches its signature.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

PYTHON_STYLES = ("google", "numpy", "sphinx")


@dataclass(frozen=True)
class DocContent:
    summary: str
    details: str = ""
    params: dict[str, str] = field(default_factory=dict)  # in signature order
    returns: str = ""
    raises: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DocFacts:
    """What the rendering needs to know about the code beyond the sentences."""

    name: str
    kind: str  # function, method, class, type
    yields: bool = False
    return_type: str | None = None


def render(style: str, content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    """The documentation block, indented, ending with a newline, lines at most `width` long."""
    writer = _WRITERS[style]
    return writer(content, facts, indent, width)


# -- Python ---------------------------------------------------------------------------------


def _python(content: DocContent, facts: DocFacts, indent: str, width: int, style: str) -> str:
    body = width - len(indent)
    lines = _paragraph(content.summary, body - 6)  # room for the quotes
    if content.details:
        lines += ["", *_paragraph(content.details, body)]
    sections = _PYTHON_SECTIONS[style](content, facts, body)
    if sections:
        lines += ["", *sections]
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    lines[0] = '"""' + lines[0]
    lines.append('"""')
    return "".join(f"{indent}{line}".rstrip() + "\n" for line in lines)


def _google(content: DocContent, facts: DocFacts, width: int) -> list[str]:
    out: list[str] = []
    if content.params:
        out.append("Args:")
        for name, text in content.params.items():
            out += _hanging(f"    {name}: ", text, width, "        ")
    if content.returns:
        out += [
            "",
            "Yields:" if facts.yields else "Returns:",
            *_paragraph(content.returns, width, "    "),
        ]
    if content.raises:
        out += ["", "Raises:"]
        for name, text in content.raises.items():
            out += _hanging(f"    {name}: ", text, width, "        ")
    return out[1:] if out and out[0] == "" else out


def _numpy(content: DocContent, facts: DocFacts, width: int) -> list[str]:
    out: list[str] = []

    def section(title: str) -> None:
        out.extend(["", title, "-" * len(title)])

    if content.params:
        section("Parameters")
        for name, text in content.params.items():
            out += [name, *_paragraph(text, width, "    ")]
    if content.returns:
        section("Yields" if facts.yields else "Returns")
        out += [facts.return_type or "object", *_paragraph(content.returns, width, "    ")]
    if content.raises:
        section("Raises")
        for name, text in content.raises.items():
            out += [name, *_paragraph(text, width, "    ")]
    return out[1:]


def _sphinx(content: DocContent, facts: DocFacts, width: int) -> list[str]:
    out: list[str] = []
    for name, text in content.params.items():
        out += _hanging(f":param {name}: ", text, width, "    ")
    if content.returns:
        out += _hanging(
            ":yields: " if facts.yields else ":returns: ", content.returns, width, "    "
        )
    for name, text in content.raises.items():
        out += _hanging(f":raises {name}: ", text, width, "    ")
    return out


_PYTHON_SECTIONS = {"google": _google, "numpy": _numpy, "sphinx": _sphinx}


# -- comment styles -------------------------------------------------------------------------


def _block(lines: list[str], indent: str, opener: str, prefix: str, closer: str | None) -> str:
    """A comment block: `/**` + ` * line` + ` */`, or `/// line` lines when there is no opener."""
    out = [opener] if opener else []
    out += [(prefix + line).rstrip() for line in lines]
    if closer:
        out.append(closer)
    return "".join(f"{indent}{line}\n" for line in out)


def _tagged(content: DocContent, facts: DocFacts, indent: str, width: int, flavour: str) -> str:
    """JSDoc/TSDoc, Javadoc and Doxygen: a summary, then @param/@returns/@throws tags."""
    body = width - len(indent) - 3
    summary = f"@brief {content.summary}" if flavour == "doxygen" else content.summary
    lines = _paragraph(summary, body)
    if content.details:
        lines += ["", *_paragraph(content.details, body)]
    tags: list[str] = []
    separator = " - " if flavour == "jsdoc" else " "
    for name, text in content.params.items():
        tags += _hanging(f"@param {name}{separator}", text, body, "    ")
    if content.returns:
        tag = "@returns " if flavour == "jsdoc" else "@return "
        tags += _hanging(tag, content.returns, body, "    ")
    for name, text in content.raises.items():
        tag = f"@throws {{{name}}} " if flavour == "jsdoc" else f"@throws {name} "
        tags += _hanging(tag, text, body, "    ")
    if tags:
        lines += ["", *tags]
    return _block(lines, indent, "/**", " * ", " */")


def _jsdoc(content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    return _tagged(content, facts, indent, width, "jsdoc")


def _javadoc(content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    return _tagged(content, facts, indent, width, "javadoc")


def _doxygen(content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    return _tagged(content, facts, indent, width, "doxygen")


def _godoc(content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    """Go doc comments are prose that starts with the name; parameters are not listed."""
    body = width - len(indent) - 3
    summary = content.summary.strip()
    if not summary.startswith(facts.name + " "):
        summary = f"{facts.name} {summary[:1].lower()}{summary[1:]}"
    lines = _paragraph(summary, body)
    if content.details:
        lines += ["", *_paragraph(content.details, body)]
    return _block(lines, indent, "", "// ", None)


def _rustdoc(content: DocContent, facts: DocFacts, indent: str, width: int) -> str:
    body = width - len(indent) - 4
    lines = _paragraph(content.summary, body)
    if content.details:
        lines += ["", *_paragraph(content.details, body)]
    if content.params:
        lines += ["", "# Arguments", ""]
        for name, text in content.params.items():
            lines += _hanging(f"* `{name}` - ", text, body, "  ")
    if content.returns:
        lines += ["", "# Returns", "", *_paragraph(content.returns, body)]
    return _block(lines, indent, "", "/// ", None)


_WRITERS = {
    "google": lambda c, f, i, w: _python(c, f, i, w, "google"),
    "numpy": lambda c, f, i, w: _python(c, f, i, w, "numpy"),
    "sphinx": lambda c, f, i, w: _python(c, f, i, w, "sphinx"),
    "jsdoc": _jsdoc,
    "javadoc": _javadoc,
    "doxygen": _doxygen,
    "godoc": _godoc,
    "rustdoc": _rustdoc,
}


def _paragraph(text: str, width: int, indent: str = "") -> list[str]:
    words = " ".join(text.split())
    return textwrap.wrap(
        words,
        max(width, 20),
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _hanging(head: str, text: str, width: int, continuation: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        max(width, 20),
        initial_indent=head,
        subsequent_indent=continuation,
        break_on_hyphens=False,
    ) or [head.rstrip()]


# -- reading back ---------------------------------------------------------------------------

_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?\**(\w+)\s*:", re.M)
_TAG_PARAM = re.compile(r"[@\\]param(?:\[[\w,\s]*\])?\s+(?:\{[^}]*\}\s+)?\[?([\w$.]+)")
_RUST_PARAM = re.compile(r"^\s*[*-]\s+`([^`]+)`", re.M)
_GOOGLE_HEADERS = ("Args:", "Arguments:", "Parameters:", "Params:")


def documented_parameters(style: str, doc: str) -> list[str] | None:
    """The parameter names `doc` documents, or None where it has no parameter list at all."""
    if style in PYTHON_STYLES:
        for reader in (_google_params, _numpy_params, _sphinx_params):
            found = reader(doc)
            if found is not None:
                return found
        return None
    doc = _uncomment(doc)
    if style in ("jsdoc", "javadoc", "doxygen"):
        names = [name.split(".")[0] for name in _TAG_PARAM.findall(doc)]
        return list(dict.fromkeys(names)) if names else None
    if style == "rustdoc":
        if "# Arguments" not in doc:
            return None
        section = re.split(r"^\s*# ", doc.split("# Arguments", 1)[1], maxsplit=1, flags=re.M)[0]
        return _RUST_PARAM.findall(section)
    return None  # godoc: prose, no parameter list


def _google_params(doc: str) -> list[str] | None:
    lines = textwrap.dedent(_strip_quotes(doc)).split("\n")
    for index, line in enumerate(lines):
        if line.strip() in _GOOGLE_HEADERS:
            header_indent = _indent_of(line)
            names, item_indent = [], None
            for entry in lines[index + 1 :]:
                if not entry.strip():
                    continue
                indent = _indent_of(entry)
                if indent <= header_indent:
                    break
                item_indent = item_indent if item_indent is not None else indent
                if indent == item_indent:
                    match = re.match(r"\s*\**(\w+)\s*(\([^)]*\))?\s*:", entry)
                    if match:
                        names.append(match.group(1))
            return names
    return None


def _numpy_params(doc: str) -> list[str] | None:
    lines = textwrap.dedent(_strip_quotes(doc)).split("\n")
    # A section title is a line underlined with dashes.
    titles = [
        i for i in range(len(lines) - 1) if lines[i].strip() and set(lines[i + 1].strip()) == {"-"}
    ]
    for title in titles:
        if lines[title].strip() != "Parameters":
            continue
        base = _indent_of(lines[title])
        names = []
        for row in range(title + 2, len(lines)):
            entry = lines[row]
            if row in titles or (entry.strip() and _indent_of(entry) < base):
                break
            if entry.strip() and _indent_of(entry) == base:
                names.append(re.split(r"[\s:]", entry.strip().lstrip("*"), maxsplit=1)[0])
        return names
    return None


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def _sphinx_params(doc: str) -> list[str] | None:
    names = _SPHINX_PARAM.findall(doc)
    return names or None


_COMMENT_MARKER = re.compile(r"^\s*(?:/\*\*|/\*!|\*/|///|//!|//|\*)? ?", re.M)


def _uncomment(doc: str) -> str:
    """The text of a comment block without its markers."""
    return _COMMENT_MARKER.sub("", doc)


def _strip_quotes(doc: str) -> str:
    text = doc.strip()
    for quote in ('"""', "'''"):
        if text.startswith(quote):
            text = text[3:]
        if text.endswith(quote):
            text = text[:-3]
    return "\n".join(line.rstrip() for line in text.split("\n"))
