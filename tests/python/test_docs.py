"""The example in docs/python.md is real output: run it as a doctest."""
import doctest
import os

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs', 'python.md')
FRAME = '/dev/shm/frame'  # the path the example uses


def test_docs_python_md_example_runs_as_shown():
    if os.path.exists(FRAME):
        os.unlink(FRAME)
    try:
        r = doctest.testfile(DOC, module_relative=False, report=True,
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    finally:
        if os.path.exists(FRAME):
            os.unlink(FRAME)
    assert r.attempted > 0 and r.failed == 0, r
