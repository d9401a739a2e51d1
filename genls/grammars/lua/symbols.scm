; Definitions: @definition.<kind> on the whole definition, @name on the defined name,
; @parent on the table for methods. Lua has no classes: a table assigned at the top level
; to a Capitalised name stands for one, and functions stored in a table
; (function T:m() / function T.f()) are its methods.

(function_declaration
  name: (identifier) @name) @definition.function

(function_declaration
  name: [
    (method_index_expression
      table: (identifier) @parent
      method: (identifier) @name)
    (dot_index_expression
      table: (identifier) @parent
      field: (identifier) @name)
  ]) @definition.method

; local f = function () ... end, and its global form.
[
  (variable_declaration
    (assignment_statement
      (variable_list name: (identifier) @name)
      (expression_list value: (function_definition))))
  (assignment_statement
    (variable_list name: (identifier) @name)
    (expression_list value: (function_definition)))
] @definition.function

(chunk
  [
    (variable_declaration
      (assignment_statement
        (variable_list name: (identifier) @name)
        (expression_list value: (table_constructor))))
    (assignment_statement
      (variable_list name: (identifier) @name)
      (expression_list value: (table_constructor)))
  ] @definition.class
  (#match? @name "^[A-Z]"))

; Lua 5.4 <const> locals, and top-level UPPER_CASE locals by convention.
(variable_declaration
  (assignment_statement
    (variable_list
      name: (identifier) @name
      attribute: (attribute (identifier) @_attribute)))
  (#eq? @_attribute "const")) @definition.constant

(chunk
  (variable_declaration
    (assignment_statement
      (variable_list name: (identifier) @name))) @definition.constant
  (#match? @name "^_*[A-Z][A-Z0-9_]*$"))
