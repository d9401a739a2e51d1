"""Repositories for the history tests, built with real git commands.

`build_project` makes one small project with two tags, conventional and free-form messages, a
merge, a rename, an empty commit, a non-UTF-8 message, a removed public function and a changed
signature; it returns the commits by a short label so tests can name what they expect.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GEOMETRY_V1 = '''"""Shapes and their measures."""


def area(width, height):
    return width * height


def perimeter(width, height):
    return 2 * (width + height)


def legacy_distance(a, b):
    return abs(a - b)


def _helper():
    return 0


class Shape:
    def describe(self):
        return "shape"
'''


@dataclass
class GitRepo:
    root: Path
    clock: int = 1_767_000_000  # 2025-12-29; every commit is one hour later
    shas: dict[str, str] = field(default_factory=dict)

    def git(self, *args: str, input: bytes | None = None) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Ada Tester",
            "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Tester",
            "GIT_COMMITTER_EMAIL": "ada@example.com",
            "GIT_AUTHOR_DATE": f"@{self.clock} +0000",
            "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        result = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, input=input, check=True
        )
        return result.stdout.decode("utf-8", "replace").strip()

    @classmethod
    def init(cls, root: Path) -> GitRepo:
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "-q", "-b", "main")
        return repo

    def write(self, path: str, text: str | None) -> None:
        target = self.root / path
        if text is None:
            self.git("rm", "-q", path)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        self.git("add", path)

    def commit(self, label: str, message: str | bytes, files: dict[str, str | None] = {}) -> str:  # noqa: B006
        for path, text in files.items():
            self.write(path, text)
        self.clock += 3600
        raw = message if isinstance(message, bytes) else message.encode("utf-8")
        self.git("commit", "-q", "--allow-empty", "-F", "-", input=raw)
        self.shas[label] = self.git("rev-parse", "HEAD")
        return self.shas[label]

    def tag(self, name: str, annotated: bool = True) -> None:
        self.clock += 60
        if annotated:
            self.git("tag", "-a", name, "-m", f"release {name}")
        else:
            self.git("tag", name)

    def short(self, label: str) -> str:
        return self.shas[label][:7]


def build_project(root: Path) -> GitRepo:
    repo = GitRepo.init(root)
    repo.commit(
        "add", "feat: add the geometry module", {"pkg/geometry.py": GEOMETRY_V1, "README.md": "x\n"}
    )
    repo.tag("v0.1.0")
    v2 = GEOMETRY_V1.replace("return width * height", "return round(width * height, 2)")
    repo.commit("round", "fix(geometry): round the area (#12)", {"pkg/geometry.py": v2})
    v3 = v2.replace("return 2 * (width + height)", "return (width + height) * 2")
    repo.commit("speed", "Improve speed of perimeter computation", {"pkg/geometry.py": v3})
    repo.commit("docs", "docs: explain the units\n\nAll lengths are metres.", {"README.md": "m\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("verbose", "feat(cli): add --verbose flag", {"pkg/cli.py": "VERBOSE = False\n"})
    repo.git("checkout", "-q", "main")
    v4 = v3.replace("def area(width, height):\n", "def area(width, height):\n    # cached\n")
    repo.commit("cache", "perf: cache the area\n\nRefs: #20", {"pkg/geometry.py": v4})
    repo.clock += 3600
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge branch 'feature'")
    repo.shas["merge"] = repo.git("rev-parse", "HEAD")
    repo.tag("v0.2.0", annotated=False)
    repo.git("mv", "pkg/geometry.py", "pkg/shapes.py")
    repo.commit("move", "refactor: move geometry to shapes")
    start = v4.index("def legacy_distance")
    v5 = v4[:start] + v4[v4.index("def _helper") :]
    repo.commit("remove", "Remove legacy_distance", {"pkg/shapes.py": v5})
    repo.commit("empty", "chore: empty release marker")
    repo.commit("latin1", "fix: caf\xe9 names".encode("latin-1"), {"NOTES.txt": "cafe\n"})
    v6 = v5.replace("def area(width, height):", "def area(width, height, digits=2):").replace(
        "round(width * height, 2)", "round(width * height, digits)"
    )
    repo.commit(
        "digits",
        "feat!: area takes the number of digits\n\nBREAKING CHANGE: area has a third parameter",
        {"pkg/shapes.py": v6},
    )
    return repo
