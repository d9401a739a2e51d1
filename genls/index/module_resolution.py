"""Which workspace module an import names, per language, from the file list alone.

A module is a file, except in Go, where it is the package's folder. An import that names no
workspace module is external and is shown by its package name (os, react, net/http, serde).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from genls.index.source_scan import ParsedFile, SourceTree

_JS_LANGUAGES = frozenset({"javascript", "typescript", "typescriptreact"})
_JS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_RUST_CRATE_ROOTS = ("lib.rs", "main.rs")


class ModuleResolver:
    def __init__(self, tree: SourceTree) -> None:
        self._paths = {file.path for file in tree.files}
        self._go_modules = tree.go_modules
        # Python: every dotted name a file is importable by, from its outermost package.
        self._python: dict[str, list[str]] = defaultdict(list)
        for file in tree.files:
            if file.language == "python":
                self._python[self.python_name(file.path)].append(file.path)

    def module_of(self, file: ParsedFile) -> str:
        if file.language == "go":
            return posixpath.dirname(file.path) or "."
        return file.path

    def resolve(self, importer: ParsedFile, spec: str) -> str | None:
        """The workspace module `spec` (as imports.scm captured it) names, if any."""
        if importer.language == "python":
            return self._resolve_python(importer.path, spec)
        if importer.language in _JS_LANGUAGES:
            return self._resolve_js(importer.path, spec)
        if importer.language == "go":
            return self._resolve_go(spec)
        if importer.language == "rust":
            return self._resolve_rust(importer.path, spec)
        return None

    def external_name(self, importer: ParsedFile, spec: str) -> str:
        """How an external import is labelled: its top-level package."""
        if importer.language == "python":
            return spec.lstrip(".").split(".")[0] or spec
        if importer.language in _JS_LANGUAGES:
            parts = spec.split("/")
            return "/".join(parts[:2]) if spec.startswith("@") else parts[0]
        if importer.language == "rust":
            return spec.split("::")[0].strip("{} ")
        return spec

    # -- Python -----------------------------------------------------------------------------

    def python_name(self, path: str) -> str:
        """The dotted name of a file, from the outermost folder that is a package."""
        parts = path.removesuffix(".pyi").removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts.pop()
        folders = path.split("/")[:-1]
        start = len(folders)
        while start > 0 and "/".join([*folders[:start], "__init__.py"]) in self._paths:
            start -= 1
        return ".".join(parts[start:]) or "__init__"

    def _resolve_python(self, importer: str, spec: str) -> str | None:
        name = spec
        if spec.startswith("."):
            dots = len(spec) - len(spec.lstrip("."))
            package = self.python_name(importer).split(".")
            if not importer.endswith("__init__.py"):
                package = package[:-1]
            base = package[: len(package) - (dots - 1)] if dots > 1 else package
            name = ".".join([*base, spec[dots:]] if spec[dots:] else base)
        parts = name.split(".")
        # `import a.b.c` may name an attribute of a.b: the longest prefix that is a module.
        for end in range(len(parts), 0, -1):
            candidates = self._python.get(".".join(parts[:end]))
            if candidates:
                return _closest(importer, candidates)
        return None

    # -- JavaScript / TypeScript ------------------------------------------------------------

    def _resolve_js(self, importer: str, spec: str) -> str | None:
        if not spec.startswith("."):
            return None  # a package from node_modules
        target = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
        stem = target
        for suffix in (".js", ".jsx", ".mjs", ".cjs"):  # TypeScript imports "./x.js" for x.ts
            if target.endswith(suffix):
                stem = target.removesuffix(suffix)
        candidates = [target, *(stem + s for s in _JS_SUFFIXES)]
        candidates += [posixpath.join(target, "index" + s) for s in _JS_SUFFIXES]
        return next((c for c in candidates if c in self._paths), None)

    # -- Go ---------------------------------------------------------------------------------

    def _resolve_go(self, spec: str) -> str | None:
        for folder, module in sorted(self._go_modules.items(), key=lambda m: -len(m[1])):
            if spec == module or spec.startswith(module + "/"):
                rest = spec[len(module) :].strip("/")
                target = posixpath.normpath(posixpath.join(folder, rest)) if rest else folder
                if any(posixpath.dirname(p) == target.removeprefix("./") for p in self._paths):
                    return target
                if target == "." and any("/" not in p for p in self._paths):
                    return "."
        return None

    # -- Rust -------------------------------------------------------------------------------

    def _resolve_rust(self, importer: str, spec: str) -> str | None:
        path = spec.split("::{")[0].split("::")
        path = [part.strip("{} *") for part in path if part.strip("{} *")]
        if not path:
            return None
        folder = posixpath.dirname(importer)
        if len(path) == 1 and path[0] not in ("crate", "self", "super"):  # `mod x;`
            return self._rust_file(self._rust_module_folder(importer), path)
        crate = self._rust_crate_folder(folder)
        if crate is None:
            return None
        if path[0] == "crate":
            base, rest = crate, path[1:]
        elif path[0] in ("self", "super"):
            base, rest = self._rust_module_folder(importer), path
            while rest and rest[0] in ("self", "super"):
                if rest.pop(0) == "super":
                    base = posixpath.dirname(base)
        else:
            return None  # another crate (std, serde, ...)
        for end in range(len(rest), 0, -1):  # the longest prefix naming a file
            found = self._rust_file(base, rest[:end])
            if found:
                return found
        return _crate_root_file(base, self._paths) if not rest else None

    def _rust_module_folder(self, path: str) -> str:
        """Where a file's child modules live: its folder for mod.rs/lib.rs/main.rs."""
        folder, name = posixpath.split(path)
        if name in ("mod.rs", *_RUST_CRATE_ROOTS):
            return folder
        return posixpath.join(folder, name.removesuffix(".rs"))

    def _rust_crate_folder(self, folder: str) -> str | None:
        while True:
            if any(posixpath.join(folder, r) in self._paths for r in _RUST_CRATE_ROOTS):
                return folder
            if folder in ("", "."):
                return None
            folder = posixpath.dirname(folder)

    def _rust_file(self, base: str, parts: list[str]) -> str | None:
        stem = posixpath.join(base, *parts)
        for candidate in (stem + ".rs", posixpath.join(stem, "mod.rs")):
            if candidate.removeprefix("./") in self._paths:
                return candidate.removeprefix("./")
        return None


def _crate_root_file(folder: str, paths: set[str]) -> str | None:
    return next((f for r in _RUST_CRATE_ROOTS if (f := posixpath.join(folder, r)) in paths), None)


def _closest(importer: str, candidates: list[str]) -> str:
    """Of several files with one dotted name, the one sharing most folders with the importer."""
    folders = importer.split("/")

    def shared(path: str) -> int:
        count = 0
        for mine, theirs in zip(folders, path.split("/"), strict=False):
            if mine != theirs:
                break
            count += 1
        return count

    return max(sorted(candidates), key=shared)
