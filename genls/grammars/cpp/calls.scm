; @call on the call, @name on the callee's simple name: f(), obj.f(), p->f(), ns::f(),
; f<T>(), a::b::f(), new Type().

(call_expression
  function: [
    (identifier) @name
    (field_expression field: (field_identifier) @name)
    (field_expression field: (template_method name: (field_identifier) @name))
    (template_function name: (identifier) @name)
    (qualified_identifier name: (identifier) @name)
    (qualified_identifier name: (template_function name: (identifier) @name))
    (qualified_identifier name: (qualified_identifier name: (identifier) @name))
  ]) @call

(new_expression
  type: [
    (type_identifier) @name
    (qualified_identifier name: (type_identifier) @name)
    (template_type name: (type_identifier) @name)
  ]) @call
