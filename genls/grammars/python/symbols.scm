; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the enclosing class name for methods. A decorated definition is captured with
; its decorators; the bare pattern also matches and loses to the larger node.

(function_definition
  name: (identifier) @name) @definition.function

(decorated_definition
  definition: (function_definition
    name: (identifier) @name)) @definition.function

; Methods: functions directly in a class body (not functions nested in methods).
(class_definition
  name: (identifier) @parent
  body: (block
    [
      (function_definition
        name: (identifier) @name) @definition.method
      (decorated_definition
        definition: (function_definition
          name: (identifier) @name)) @definition.method
    ]))

(class_definition
  name: (identifier) @name) @definition.class

(decorated_definition
  definition: (class_definition
    name: (identifier) @name)) @definition.class

; Module-level UPPER_CASE names are constants by convention (PEP 8).
(module
  (expression_statement
    (assignment
      left: (identifier) @name)) @definition.constant
  (#match? @name "^_*[A-Z][A-Z0-9_]*$"))
