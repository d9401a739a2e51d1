; @import on the import path (quotes are stripped by genls).

(import_spec
  path: (_) @import)
