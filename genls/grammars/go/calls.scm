; @call on the call, @name on the callee's simple name: f(), pkg.F(), value.Method();
; @receiver on the package or value before the dot.

(call_expression
  function: (identifier) @name) @call

(call_expression
  function: (selector_expression
    operand: (_) @receiver
    field: (field_identifier) @name)) @call
