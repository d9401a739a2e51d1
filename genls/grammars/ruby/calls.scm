; @call on the call, @name on the method's name: m(), obj.m, Klass.new, puts "x".
; A bare name without arguments (`m`) is indistinguishable from a local variable and is not
; a call here.

(call
  method: (_) @name) @call
