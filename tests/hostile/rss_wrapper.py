"""Run one command and report its peak RSS: `python rss_wrapper.py RESULT_FILE AS_LIMIT -- CMD...`

A fresh process, so RUSAGE_CHILDREN's maximum is that one child's. The child gets an
address-space limit as a safety net for the shared machine: a decompression bomb that
a broken client decodes whole fails with MemoryError instead of eating the box. The
child's stdout/stderr are this process's; its exit code is this process's.
"""

from __future__ import annotations

import resource
import subprocess
import sys

GUARD_S = 55  # inside the caller's 60 s hang guard


def main() -> int:
    result_file, limit, sep, *cmd = sys.argv[1:]
    assert sep == "--" and cmd
    as_limit = int(limit)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))

    child = subprocess.Popen(cmd, preexec_fn=limit_memory)
    try:
        code = child.wait(GUARD_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(10)
        code = 124
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(result_file, "w", encoding="ascii") as f:
        f.write(str(peak_kb))
    return code


if __name__ == "__main__":
    sys.exit(main())
