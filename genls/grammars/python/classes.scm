; Class structure for diagrams: @class on the class name; @base on a base class name
; (class A(B, m.C, Generic[T])); @field on an attribute name, with @field.type on its
; annotated or constructed type when it is a plain name (x: Foo, self.x = Foo()).

(class_definition
  name: (identifier) @class
  superclasses: (argument_list
    [
      (identifier) @base
      (attribute attribute: (identifier) @base)
      (subscript value: [(identifier) (attribute attribute: (identifier))] @base)
    ]))

; Class-level attributes: x: int = 0, y = Foo().
(class_definition
  name: (identifier) @class
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @field))))

(class_definition
  name: (identifier) @class
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @field
        type: (type [(identifier) (generic_type (identifier))] @field.type)))))

(class_definition
  name: (identifier) @class
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @field
        right: (call function: (identifier) @field.type)))))

; Instance attributes set in a method's top level: self.x = ..., self.x: Foo = Foo().
(class_definition
  name: (identifier) @class
  body: (block
    [
      (function_definition
        parameters: (parameters . (identifier) @_self)
        body: (block
          (expression_statement
            (assignment
              left: (attribute object: (identifier) @_object attribute: (identifier) @field)))))
      (decorated_definition
        definition: (function_definition
          parameters: (parameters . (identifier) @_self)
          body: (block
            (expression_statement
              (assignment
                left: (attribute object: (identifier) @_object attribute: (identifier) @field))))))
    ])
  (#eq? @_self @_object))

(class_definition
  name: (identifier) @class
  body: (block
    (function_definition
      parameters: (parameters . (identifier) @_self)
      body: (block
        (expression_statement
          (assignment
            left: (attribute object: (identifier) @_object attribute: (identifier) @field)
            type: (type [(identifier) (generic_type (identifier))] @field.type))))))
  (#eq? @_self @_object))

(class_definition
  name: (identifier) @class
  body: (block
    (function_definition
      parameters: (parameters . (identifier) @_self)
      body: (block
        (expression_statement
          (assignment
            left: (attribute object: (identifier) @_object attribute: (identifier) @field)
            right: (call function: (identifier) @field.type))))))
  (#eq? @_self @_object))
