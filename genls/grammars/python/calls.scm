; @call on the call, @name on the callee's simple name: f(), obj.method(), a.b.c();
; @receiver on what a method is called on (obj, a.b).

(call
  function: (identifier) @name) @call

(call
  function: (attribute
    object: (_) @receiver
    attribute: (identifier) @name)) @call
