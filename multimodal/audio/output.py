"""Writing a set of files all or nothing: a failure or a cancel never leaves half of them."""

from __future__ import annotations

from functools import partial

from genls import atomic_files
from multimodal.audio.errors import OutputError

# Every file, or none of them; a failure is an OutputError.
write_all = partial(atomic_files.write_all, error=OutputError)
