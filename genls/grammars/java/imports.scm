; @import on the imported name: `import a.b.C;`, `import static a.b.C.m;`, and the package
; of `import a.b.*;` (a.b).

(import_declaration
  [
    (identifier)
    (scoped_identifier)
  ] @import)
