; @import on the imported module's name: `import a.b`, `import a as b`, `from a import b`,
; `from . import b` (the module is ".").

(import_statement
  name: (dotted_name) @import)

(import_statement
  name: (aliased_import
    name: (dotted_name) @import))

(import_from_statement
  module_name: (_) @import)
