; @call on the call, @name on the callee's simple name: f(), value.method(), Type::new(),
; and their turbofish forms (xs.sum::<u32>()). Macro invocations are not calls.

(call_expression
  function: [
    (identifier) @name
    (field_expression field: (field_identifier) @name)
    (scoped_identifier name: (identifier) @name)
    (generic_function
      function: [
        (identifier) @name
        (field_expression field: (field_identifier) @name)
        (scoped_identifier name: (identifier) @name)
      ])
  ]) @call
