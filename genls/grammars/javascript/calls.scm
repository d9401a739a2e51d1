; @call on the call, @name on the callee's simple name: f(), obj.method(), new Class();
; @receiver on what a method is called on (obj).

(call_expression
  function: (identifier) @name) @call

(call_expression
  function: (member_expression
    object: (_) @receiver
    property: (_) @name)) @call

(new_expression
  constructor: (identifier) @name) @call

(new_expression
  constructor: (member_expression
    object: (_) @receiver
    property: (_) @name)) @call
