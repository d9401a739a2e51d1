; @call on the call, @name on the callee's simple name: f(), pkg.F(), value.Method().

(call_expression
  function: (identifier) @name) @call

(call_expression
  function: (selector_expression
    field: (field_identifier) @name)) @call
