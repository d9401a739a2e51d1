; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the enclosing class or module for methods. Modules count as classes: both
; hold methods.

[
  (class name: [(constant) @name (scope_resolution name: (constant) @name)])
  (module name: [(constant) @name (scope_resolution name: (constant) @name)])
] @definition.class

; Methods: def m and def self.m directly in a class or module body.
([
  (class
    name: [(constant) @parent (scope_resolution name: (constant) @parent)]
    body: (body_statement [
      (method name: (_) @name)
      (singleton_method name: (_) @name)
    ] @definition.method))
  (module
    name: [(constant) @parent (scope_resolution name: (constant) @parent)]
    body: (body_statement [
      (method name: (_) @name)
      (singleton_method name: (_) @name)
    ] @definition.method))
])

; Anything else (top-level defs) is a function.
[
  (method name: (_) @name)
  (singleton_method name: (_) @name)
] @definition.function

(assignment
  left: (constant) @name) @definition.constant
