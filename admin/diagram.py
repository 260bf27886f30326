"""The state diagram of a workflow, drawn server-side from its own definition.

transitions' ``GraphMachine`` lays out the workflow's states and transitions
with Graphviz (``dot``, from the ``graphviz`` Debian/Homebrew package) as SVG,
with the record's current state highlighted. Nothing is loaded by the browser.
"""

from __future__ import annotations

import re
import shutil
from functools import lru_cache

from transitions.extensions import GraphMachine

from workflow.workflows import WORKFLOWS


def available() -> bool:
    """Whether Graphviz is installed (without it, pages list the transitions instead)."""
    return shutil.which("dot") is not None


class _Model:
    pass


_LABEL = re.compile(r'label=("(?:[^"\\]|\\.)*"|[^ \]]+)')


def _relabel(line: str, labels: dict[str, str]) -> str:
    """A node's or an edge's label in the reader's words: states and triggers by their labels."""

    def words(match: re.Match) -> str:
        text = match.group(1).strip('"').removesuffix("\\l")
        said = " | ".join(labels.get(part, part) for part in text.split(" | "))
        return 'label="' + said.replace("\\", "").replace('"', "'") + '"'

    return _LABEL.sub(words, line)


@lru_cache(maxsize=256)
def svg(workflow: str, state: str, labels: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The diagram as an SVG document, ``state`` highlighted; None without Graphviz.

    ``labels`` name states and triggers in the reader's language (before the layout, so
    each box fits its words).
    """
    if not available():
        return None
    wf = WORKFLOWS[workflow]
    model = _Model()
    GraphMachine(
        model=model,
        states=[s.value for s in wf.states],
        transitions=[
            {"trigger": t.trigger, "source": list(t.source), "dest": t.dest} for t in wf.transitions
        ],
        initial=state,
        auto_transitions=False,
        graph_engine="graphviz",
        title="",
        show_conditions=False,
    )
    graph = model.get_graph()
    if labels:
        names = dict(labels)
        graph.body[:] = [_relabel(line, names) for line in graph.body]
    document = graph.draw(None, format="svg", prog="dot").decode()
    return document[document.index("<svg") :]  # inline: no XML prolog or doctype
