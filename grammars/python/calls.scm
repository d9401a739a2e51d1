; @call on the call, @name on the callee's simple name: f(), obj.method(), a.b.c().

(call
  function: (identifier) @name) @call

(call
  function: (attribute
    attribute: (identifier) @name)) @call
