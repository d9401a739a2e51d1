; Type structure for diagrams: @class on a struct or interface name; @base on a type it
; embeds; @field on a field name, with @field.type on the named type it holds
; (T, *T, []T, map[K]T).

(type_spec
  name: (type_identifier) @class
  type: (struct_type
    (field_declaration_list
      (field_declaration
        !name
        type: [
          (type_identifier) @base
          (qualified_type name: (type_identifier) @base)
        ]))))

(type_spec
  name: (type_identifier) @class
  type: (interface_type
    (type_elem
      [
        (type_identifier) @base
        (qualified_type name: (type_identifier) @base)
      ])))

(type_spec
  name: (type_identifier) @class
  type: (struct_type
    (field_declaration_list
      (field_declaration
        name: (field_identifier) @field))))

(type_spec
  name: (type_identifier) @class
  type: (struct_type
    (field_declaration_list
      (field_declaration
        name: (field_identifier) @field
        type: [
          (type_identifier) @field.type
          (pointer_type (type_identifier) @field.type)
          (slice_type element: (type_identifier) @field.type)
          (slice_type element: (pointer_type (type_identifier) @field.type))
          (map_type value: (type_identifier) @field.type)
        ]))))
