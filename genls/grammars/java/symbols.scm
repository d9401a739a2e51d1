; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the enclosing type name for methods and constructors.

(class_declaration
  name: (identifier) @name) @definition.class

(record_declaration
  name: (identifier) @name) @definition.class

[
  (interface_declaration name: (identifier) @name)
  (enum_declaration name: (identifier) @name)
  (annotation_type_declaration name: (identifier) @name)
] @definition.type

; Methods and constructors of a named type.
([
  (class_declaration name: (identifier) @parent body: (class_body [
    (method_declaration name: (identifier) @name)
    (constructor_declaration name: (identifier) @name)
  ] @definition.method))
  (record_declaration name: (identifier) @parent body: (class_body [
    (method_declaration name: (identifier) @name)
    (constructor_declaration name: (identifier) @name)
    (compact_constructor_declaration name: (identifier) @name)
  ] @definition.method))
  (interface_declaration name: (identifier) @parent body: (interface_body
    (method_declaration name: (identifier) @name) @definition.method))
  (enum_declaration name: (identifier) @parent body: (enum_body (enum_body_declarations [
    (method_declaration name: (identifier) @name)
    (constructor_declaration name: (identifier) @name)
  ] @definition.method)))
])

; Methods of anonymous classes: no parent.
(method_declaration
  name: (identifier) @name) @definition.method

; static final fields.
(field_declaration
  (modifiers) @_modifiers
  declarator: (variable_declarator
    name: (identifier) @name)
  (#match? @_modifiers "(^|[^A-Za-z_])static([^A-Za-z_]|$)")
  (#match? @_modifiers "(^|[^A-Za-z_])final([^A-Za-z_]|$)")) @definition.constant
