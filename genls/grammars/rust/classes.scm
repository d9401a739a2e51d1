; Type structure for diagrams: @class on a struct, enum or trait name; @implements on a
; trait it implements (impl Trait for Type); @base on a supertrait (trait A: B); @field on
; a field name, with @field.type on the named type it holds (T, Vec<T>, Box<T>, &T).

(impl_item
  trait: [
    (type_identifier) @implements
    (scoped_type_identifier name: (type_identifier) @implements)
    (generic_type type: (type_identifier) @implements)
  ]
  type: [
    (type_identifier) @class
    (generic_type type: (type_identifier) @class)
    (scoped_type_identifier name: (type_identifier) @class)
  ])

(trait_item
  name: (type_identifier) @class
  bounds: (trait_bounds
    [
      (type_identifier) @base
      (scoped_type_identifier name: (type_identifier) @base)
      (generic_type type: (type_identifier) @base)
    ]))

(struct_item
  name: (type_identifier) @class
  body: (field_declaration_list
    (field_declaration
      name: (field_identifier) @field)))

(struct_item
  name: (type_identifier) @class
  body: (field_declaration_list
    (field_declaration
      name: (field_identifier) @field
      type: [
        (type_identifier) @field.type
        (generic_type type_arguments: (type_arguments . (type_identifier) @field.type))
        (reference_type type: (type_identifier) @field.type)
      ])))
