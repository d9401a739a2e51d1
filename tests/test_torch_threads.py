"""torch's thread count is set once per process, by the first model that loads torch."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import threading
from genls.torch_threads import torch_with_threads

torch = torch_with_threads(1)
torch_with_threads(2)  # a second model, or new settings: the process keeps its count
seen = []
worker = threading.Thread(target=lambda: seen.append(torch_with_threads(2).get_num_threads()))
worker.start()
worker.join()
print(torch.get_num_threads(), seen[0])
"""


def test_the_first_count_holds_for_the_whole_process():
    # A process of its own: the test process may have loaded torch already.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.split() == ["1", "1"]
