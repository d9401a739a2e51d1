; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the enclosing class or interface name for methods. Exported definitions are
; captured with their `export`; the bare pattern also matches and loses to the larger node.

[
  (function_declaration
    name: (identifier) @name)
  (generator_function_declaration
    name: (identifier) @name)
  (function_signature
    name: (identifier) @name)
] @definition.function

(export_statement
  declaration: [
    (function_declaration
      name: (identifier) @name)
    (generator_function_declaration
      name: (identifier) @name)
    (function_signature
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

[
  (class_declaration
    name: (type_identifier) @name)
  (abstract_class_declaration
    name: (type_identifier) @name)
] @definition.class

(export_statement
  declaration: [
    (class_declaration
      name: (type_identifier) @name)
    (abstract_class_declaration
      name: (type_identifier) @name)
  ]) @definition.class

; Methods, including fields holding a function (handle = () => {...}).
([
  (class_declaration
    name: (type_identifier) @parent
    body: (class_body
      [
        (method_definition
          name: (_) @name) @definition.method
        (abstract_method_signature
          name: (_) @name) @definition.method
        (public_field_definition
          name: (_) @name
          value: [(arrow_function) (function_expression)]) @definition.method
      ]))
  (abstract_class_declaration
    name: (type_identifier) @parent
    body: (class_body
      [
        (method_definition
          name: (_) @name) @definition.method
        (abstract_method_signature
          name: (_) @name) @definition.method
        (public_field_definition
          name: (_) @name
          value: [(arrow_function) (function_expression)]) @definition.method
      ]))
])

(interface_declaration
  name: (type_identifier) @parent
  body: (interface_body
    (method_signature
      name: (_) @name) @definition.method))

[
  (interface_declaration
    name: (type_identifier) @name)
  (type_alias_declaration
    name: (type_identifier) @name)
  (enum_declaration
    name: (identifier) @name)
] @definition.type

(export_statement
  declaration: [
    (interface_declaration
      name: (type_identifier) @name)
    (type_alias_declaration
      name: (type_identifier) @name)
    (enum_declaration
      name: (identifier) @name)
  ]) @definition.type

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
