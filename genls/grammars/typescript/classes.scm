; Class structure for diagrams: @class on a class or interface name; @base on what it
; extends; @implements on an interface it implements; @field on a field or property name,
; with @field.type on its declared type or the class constructed into it.

(_
  name: (type_identifier) @class
  (class_heritage
    (extends_clause
      value: [
        (identifier) @base
        (member_expression property: (property_identifier) @base)
      ])))

(_
  name: (type_identifier) @class
  (class_heritage
    (implements_clause
      [
        (type_identifier) @implements
        (generic_type name: (type_identifier) @implements)
      ])))

(interface_declaration
  name: (type_identifier) @class
  (extends_type_clause
    type: [
      (type_identifier) @base
      (generic_type name: (type_identifier) @base)
    ]))

(_
  name: (type_identifier) @class
  body: (class_body
    (public_field_definition
      name: (property_identifier) @field)))

(_
  name: (type_identifier) @class
  body: (class_body
    (public_field_definition
      name: (property_identifier) @field
      type: (type_annotation
        [
          (type_identifier) @field.type
          (generic_type name: (type_identifier) @field.type)
          (array_type (type_identifier) @field.type)
        ]))))

(_
  name: (type_identifier) @class
  body: (class_body
    (public_field_definition
      name: (property_identifier) @field
      value: (new_expression constructor: (identifier) @field.type))))

(interface_declaration
  name: (type_identifier) @class
  body: (interface_body
    (property_signature
      name: (property_identifier) @field)))

(interface_declaration
  name: (type_identifier) @class
  body: (interface_body
    (property_signature
      name: (property_identifier) @field
      type: (type_annotation
        [
          (type_identifier) @field.type
          (generic_type name: (type_identifier) @field.type)
          (array_type (type_identifier) @field.type)
        ]))))

; Constructor parameter properties: constructor(private repo: Repo).
(_
  name: (type_identifier) @class
  body: (class_body
    (method_definition
      parameters: (formal_parameters
        (required_parameter
          (accessibility_modifier)
          pattern: (identifier) @field
          type: (type_annotation (type_identifier) @field.type))))))

(_
  name: (type_identifier) @class
  body: (class_body
    (method_definition
      body: (statement_block
        (expression_statement
          (assignment_expression
            left: (member_expression object: (this) property: (property_identifier) @field)
            right: (new_expression constructor: (identifier) @field.type)))))))
