; @import on the required path: require "x", require_relative "x", load "x".

(call
  !receiver
  method: (identifier) @_method
  arguments: (argument_list
    .
    (string
      (string_content) @import))
  (#any-of? @_method "require" "require_relative" "load"))
