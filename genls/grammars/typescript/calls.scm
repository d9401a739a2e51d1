; inherits: javascript
; TypeScript calls look like JavaScript calls.
