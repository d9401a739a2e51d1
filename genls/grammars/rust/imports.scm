; @import on the used path: `use a::b::C`, `use a::{b, c}`, `use a::*`, `use a::B as C`
; (the path a::B), `extern crate x`, and `mod x;` (a module in another file).

(use_declaration
  argument: [
    (identifier)
    (scoped_identifier)
    (scoped_use_list)
    (use_list)
    (use_wildcard)
  ] @import)

(use_declaration
  argument: (use_as_clause
    path: (_) @import))

(extern_crate_declaration
  name: (identifier) @import)

(mod_item
  name: (identifier) @import
  !body)
