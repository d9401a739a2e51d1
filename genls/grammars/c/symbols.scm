; Definitions: @definition.<kind> on the whole definition, @name on the defined name.
; Prototypes (declarations without a body) are not definitions.

(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
    (pointer_declarator declarator: (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name)))
  ]) @definition.function

; Function-like macros.
(preproc_function_def
  name: (identifier) @name) @definition.function

; Structs, unions and enums with a body, and typedefs. A typedef'd struct is one definition
; spanning the typedef, under both its tag and its typedef name.
[
  (struct_specifier name: (type_identifier) @name body: (_))
  (union_specifier name: (type_identifier) @name body: (_))
  (enum_specifier name: (type_identifier) @name body: (_))
] @definition.type

(type_definition
  type: [
    (struct_specifier name: (type_identifier) @name body: (_))
    (union_specifier name: (type_identifier) @name body: (_))
    (enum_specifier name: (type_identifier) @name body: (_))
  ]) @definition.type

(type_definition
  declarator: (type_identifier) @name) @definition.type

; Object-like macros and file-level const variables.
(preproc_def
  name: (identifier) @name) @definition.constant

(translation_unit
  (declaration
    (type_qualifier) @_qualifier
    declarator: (init_declarator
      declarator: (identifier) @name)) @definition.constant
  (#eq? @_qualifier "const"))
