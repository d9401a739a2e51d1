; inherits: typescript
; TSX is TypeScript with JSX: the same definitions, imports and calls.
