; @import on the module specifier: import ... from "x", export ... from "x", import("x"),
; require("x").

(import_statement
  source: (string
    (string_fragment) @import))

(export_statement
  source: (string
    (string_fragment) @import))

(call_expression
  function: (import)
  arguments: (arguments
    .
    (string
      (string_fragment) @import)))

(call_expression
  function: (identifier) @_require
  arguments: (arguments
    .
    (string
      (string_fragment) @import))
  (#eq? @_require "require"))
