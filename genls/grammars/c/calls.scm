; @call on the call, @name on the callee's simple name: f(), s.fn(), p->fn().

(call_expression
  function: [
    (identifier) @name
    (field_expression field: (field_identifier) @name)
  ]) @call
