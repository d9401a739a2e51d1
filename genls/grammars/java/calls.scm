; @call on the call, @name on the callee's simple name: m(), obj.m(), new Type().

(method_invocation
  name: (identifier) @name) @call

(object_creation_expression
  type: [
    (type_identifier) @name
    (scoped_type_identifier (type_identifier) @name .)
    (generic_type [
      (type_identifier) @name
      (scoped_type_identifier (type_identifier) @name .)
    ])
  ]) @call
