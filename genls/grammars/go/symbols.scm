; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the receiver's type name for methods. A declaration holding a single spec is
; captured whole (so the doc comment above it is found); specs of a group one by one.

(function_declaration
  name: (identifier) @name) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @parent
        (pointer_type (type_identifier) @parent)
        (generic_type type: (type_identifier) @parent)
        (pointer_type (generic_type type: (type_identifier) @parent))
      ]))
  name: (field_identifier) @name) @definition.method

; Structs, interfaces, named types and aliases.
(type_declaration
  .
  [
    (type_spec name: (type_identifier) @name)
    (type_alias name: (type_identifier) @name)
  ]
  .) @definition.type

[
  (type_spec name: (type_identifier) @name)
  (type_alias name: (type_identifier) @name)
] @definition.type

(source_file
  (const_declaration
    .
    (const_spec name: (identifier) @name)
    .) @definition.constant)

(source_file
  (const_declaration
    (const_spec name: (identifier) @name) @definition.constant))

; Interface methods.
(type_spec
  name: (type_identifier) @parent
  type: (interface_type
    (method_elem
      name: (field_identifier) @name) @definition.method))
