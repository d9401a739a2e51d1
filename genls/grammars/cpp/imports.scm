; @import on the included path: #include <stdio.h> and #include "local.h" (the angle
; brackets and quotes are stripped by genls).

(preproc_include
  path: (_) @import)
