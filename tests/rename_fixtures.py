"""A small workspace for rename tests, written as templates: AREA marks each reference to the
function `area` and PERIM each reference to the method `Shape.perimeter`; every other spelling
of these words (strings, comments, a keyword argument, an unrelated local) must never change."""

from __future__ import annotations

from pathlib import Path

PYTHON = {
    "pkg/__init__.py": "",
    "pkg/geometry.py": '''"""Shapes. The word area in this docstring is not a reference."""

SCALE = 1


def AREA(width, height):
    # area of a rectangle, scaled
    return width * height * SCALE


class Shape:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def PERIM(self):
        return 2 * (self.width + self.height)

    def describe(self):
        return f"{self.PERIM()} around, area {AREA(self.width, self.height)}"
''',
    "pkg/report.py": '''from pkg.geometry import AREA, Shape


def total(shapes):
    """Sum the area of every shape."""
    return sum(AREA(s.width, s.height) for s in shapes)


def row(shape):
    return dict(area=AREA(shape.width, shape.height), perimeter=shape.PERIM())


def square(side):
    return Shape(side, side)
''',
    "pkg/summary.py": """import pkg.geometry as geometry


def summary(width, height):
    print("area:", geometry.AREA(width, height))
    return geometry.AREA(width, height) + geometry.Shape(width, height).PERIM()
""",
    "pkg/stats.py": """def accumulate(rows):
    area = 0
    for row in rows:
        area += row  # a local named area: not the function
    return area
""",
}

TYPESCRIPT = {
    "web/geo.ts": """// area of a rectangle; the string "area" below stays
export function AREA(w: number, h: number): number {
  return w * h;
}

export class Shape {
  constructor(public w: number, public h: number) {}
  PERIM(): number {
    return 2 * (this.w + this.h);
  }
}
""",
    "web/main.ts": """import { AREA, Shape } from "./geo";
import * as geo from "./geo";

const label = "area";
export function report(s: Shape): number {
  const counts = { area: 1 };
  return AREA(s.w, s.h) + geo.AREA(1, 2) + s.PERIM() + counts.area;
}
""",
    "web/other.ts": """export function unrelated(rows: number[]): number {
  let area = 0;
  for (const r of rows) area += r;
  return area;
}
""",
}

GO = {
    "go.mod": "module example.com/m\n\ngo 1.21\n",
    "geo/geo.go": """package geo

// The area of a rectangle; "area" in strings stays.
func AREA(w, h int) int {
	return w * h
}

type Rect struct {
	W, H int
}

func (r Rect) PERIM() int {
	return 2 * (r.W + r.H)
}
""",
    "geo/more.go": """package geo

func Double(w, h int) int { return 2 * AREA(w, h) }
""",
    "main.go": """package main

import (
	"fmt"

	"example.com/m/geo"
)

func main() {
	r := geo.Rect{W: 1, H: 2}
	total := geo.AREA(1, 2) + r.PERIM()
	fmt.Println("total area", total)
}
""",
}

RUST = {
    "src/geo.rs": """/// area of a rectangle
pub fn AREA(w: u32, h: u32) -> u32 {
    w * h
}

pub struct Rect {
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn PERIM(&self) -> u32 {
        2 * (self.w + self.h)
    }
}
""",
    "src/main.rs": """mod geo;
use crate::geo::AREA;

fn main() {
    let r = geo::Rect { w: 1, h: 2 };
    let total = AREA(1, 2) + geo::AREA(2, 3) + r.PERIM();
    println!("area {}", total);
}
""",
}


def version(files: dict[str, str], area: str = "area", perimeter: str = "perimeter") -> dict:
    """The files with the markers spelled as given: the original or the renamed workspace."""
    return {
        path: text.replace("AREA", area).replace("PERIM", perimeter) for path, text in files.items()
    }


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
