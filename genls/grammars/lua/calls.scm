; @call on the call, @name on the callee's simple name: f(), t.f(), obj:m().

(function_call
  name: [
    (identifier) @name
    (dot_index_expression field: (identifier) @name)
    (method_index_expression method: (identifier) @name)
  ]) @call
