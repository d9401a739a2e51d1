; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the class for methods. Templates are captured with their template<...> line;
; the bare pattern also matches and loses to the larger node. Prototypes (declarations
; without a body) are not definitions.

(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
    (reference_declarator (function_declarator declarator: (identifier) @name))
  ]) @definition.function

(template_declaration
  (function_definition
    declarator: [
      (function_declarator declarator: (identifier) @name)
      (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
      (reference_declarator (function_declarator declarator: (identifier) @name))
    ])) @definition.function

; Function-like macros.
(preproc_function_def
  name: (identifier) @name) @definition.function

; Methods defined in the class body.
([
  (class_specifier name: (type_identifier) @parent body: (field_declaration_list [
    (function_definition declarator: (function_declarator declarator: (_) @name))
    (template_declaration (function_definition
      declarator: (function_declarator declarator: (_) @name)))
  ] @definition.method))
  (struct_specifier name: (type_identifier) @parent body: (field_declaration_list [
    (function_definition declarator: (function_declarator declarator: (_) @name))
    (template_declaration (function_definition
      declarator: (function_declarator declarator: (_) @name)))
  ] @definition.method))
])

; Methods defined out of the class: Type::method and Type<T>::method.
(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @parent (template_type name: (type_identifier) @parent)]
      name: (_) @name))
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @parent (template_type name: (type_identifier) @parent)]
      name: (_) @name)))
    (reference_declarator (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @parent (template_type name: (type_identifier) @parent)]
      name: (_) @name)))
  ]) @definition.method

(class_specifier
  name: (type_identifier) @name
  body: (_)) @definition.class

(template_declaration
  (class_specifier
    name: (type_identifier) @name
    body: (_))) @definition.class

; Structs, unions, enums with a body, typedefs and using-aliases. A typedef'd struct is one
; definition spanning the typedef, under both its tag and its typedef name.
[
  (struct_specifier name: (type_identifier) @name body: (_))
  (union_specifier name: (type_identifier) @name body: (_))
  (enum_specifier name: (type_identifier) @name body: (_))
  (alias_declaration name: (type_identifier) @name)
] @definition.type

(template_declaration
  [
    (struct_specifier name: (type_identifier) @name body: (_))
    (alias_declaration name: (type_identifier) @name)
  ]) @definition.type

(type_definition
  type: [
    (struct_specifier name: (type_identifier) @name body: (_))
    (union_specifier name: (type_identifier) @name body: (_))
    (enum_specifier name: (type_identifier) @name body: (_))
  ]) @definition.type

(type_definition
  declarator: (type_identifier) @name) @definition.type

; Object-like macros, and const/constexpr variables at file or namespace level.
(preproc_def
  name: (identifier) @name) @definition.constant

([
  (translation_unit
    (declaration
      (type_qualifier) @_qualifier
      declarator: (init_declarator
        declarator: (identifier) @name)) @definition.constant)
  (namespace_definition
    body: (declaration_list
      (declaration
        (type_qualifier) @_qualifier
        declarator: (init_declarator
          declarator: (identifier) @name)) @definition.constant))
]
  (#any-of? @_qualifier "const" "constexpr"))
