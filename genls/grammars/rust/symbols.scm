; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the implemented type or the trait for methods.

(function_item
  name: (identifier) @name) @definition.function

; Methods: functions in an impl block, named after the implemented type.
(impl_item
  type: [
    (type_identifier) @parent
    (generic_type type: (type_identifier) @parent)
    (scoped_type_identifier name: (type_identifier) @parent)
    (generic_type type: (scoped_type_identifier name: (type_identifier) @parent))
  ]
  body: (declaration_list
    (function_item
      name: (identifier) @name) @definition.method))

; Trait methods, required or provided.
(trait_item
  name: (type_identifier) @parent
  body: (declaration_list
    [
      (function_item
        name: (identifier) @name)
      (function_signature_item
        name: (identifier) @name)
    ] @definition.method))

[
  (struct_item name: (type_identifier) @name)
  (enum_item name: (type_identifier) @name)
  (union_item name: (type_identifier) @name)
  (trait_item name: (type_identifier) @name)
  (type_item name: (type_identifier) @name)
] @definition.type

[
  (const_item name: (identifier) @name)
  (static_item name: (identifier) @name)
] @definition.constant
