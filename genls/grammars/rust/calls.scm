; @call on the call, @name on the callee's simple name: f(), value.method(), Type::new(),
; and their turbofish forms (xs.sum::<u32>()). Macro invocations are not calls.
; @receiver on the value or path before the name (value, Type).

(call_expression
  function: [
    (identifier) @name
    (field_expression value: (_) @receiver field: (field_identifier) @name)
    (scoped_identifier path: (_)? @receiver name: (identifier) @name)
    (generic_function
      function: [
        (identifier) @name
        (field_expression value: (_) @receiver field: (field_identifier) @name)
        (scoped_identifier path: (_)? @receiver name: (identifier) @name)
      ])
  ]) @call
