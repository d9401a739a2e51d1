"""Diagrams drawn from a CodeGraph that genls.index built: Mermaid, Graphviz DOT, SVG, PNG.

Pure rendering: nothing here parses code. `layout` caps and orders the graph, `mermaid` and
`dot` write text, `render` runs Graphviz for pictures, `markdown` places a fenced block.
"""
