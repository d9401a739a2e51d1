; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the enclosing class name for methods. Exported definitions are captured with
; their `export`; the bare pattern also matches and loses to the larger node.

[
  (function_declaration
    name: (identifier) @name)
  (generator_function_declaration
    name: (identifier) @name)
] @definition.function

(export_statement
  declaration: [
    (function_declaration
      name: (identifier) @name)
    (generator_function_declaration
      name: (identifier) @name)
  ]) @definition.function

; Functions bound to a name: const f = () => ..., var g = function () {...}.
[
  (lexical_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression) (generator_function)]))
  (variable_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression) (generator_function)]))
] @definition.function

(export_statement
  declaration: (lexical_declaration
    (variable_declarator
      name: (identifier) @name
      value: [(arrow_function) (function_expression) (generator_function)]))) @definition.function

(class_declaration
  name: (identifier) @name) @definition.class

(export_statement
  declaration: (class_declaration
    name: (identifier) @name)) @definition.class

; Methods, including fields holding a function (handle = () => {...}).
(class_declaration
  name: (identifier) @parent
  body: (class_body
    [
      (method_definition
        name: (_) @name) @definition.method
      (field_definition
        property: (_) @name
        value: [(arrow_function) (function_expression)]) @definition.method
    ]))

; Top-level const bindings, except modules loaded with require().
(program
  (lexical_declaration
    kind: "const"
    (variable_declarator
      name: (identifier) @name
      value: (_) @_value)) @definition.constant
  (#not-match? @_value "^require\\("))

(program
  (export_statement
    declaration: (lexical_declaration
      kind: "const"
      (variable_declarator
        name: (identifier) @name
        value: (_) @_value))) @definition.constant
  (#not-match? @_value "^require\\("))
