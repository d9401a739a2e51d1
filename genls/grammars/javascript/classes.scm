; Class structure for diagrams: @class on the class name; @base on the class it extends;
; @field on a field name, with @field.type on the class constructed into it
; (x = new Foo(), this.x = new Foo() in a method).

(class_declaration
  name: (identifier) @class
  (class_heritage
    [
      (identifier) @base
      (member_expression property: (property_identifier) @base)
    ]))

(class_declaration
  name: (identifier) @class
  body: (class_body
    (field_definition
      property: (property_identifier) @field)))

(class_declaration
  name: (identifier) @class
  body: (class_body
    (field_definition
      property: (property_identifier) @field
      value: (new_expression constructor: (identifier) @field.type))))

(class_declaration
  name: (identifier) @class
  body: (class_body
    (method_definition
      body: (statement_block
        (expression_statement
          (assignment_expression
            left: (member_expression object: (this) property: (property_identifier) @field)))))))

(class_declaration
  name: (identifier) @class
  body: (class_body
    (method_definition
      body: (statement_block
        (expression_statement
          (assignment_expression
            left: (member_expression object: (this) property: (property_identifier) @field)
            right: (new_expression constructor: (identifier) @field.type)))))))
