"""The README's usage example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def test_use_example_runs(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    match = re.search(r"## Use\n\n```python\n(.*?)```", text, re.S)
    assert match, "README has no '## Use' python block"
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(match.group(1), "README.md (Use)", "exec"), scope)
    opt = scope["opt"]
    assert opt.step_count == 1
    assert (tmp_path / "opt.ckpt").is_file()
    fp = scope["fp"]
    assert np.all(fp.params[1] == 0)  # the warm-up starts at a rate of 0
    opt.step()
    assert np.all(fp.params[1] < 0)  # then the bias moves against its gradient
