"""The state diagram of a workflow, drawn server-side from its own definition.

transitions' ``GraphMachine`` lays out the workflow's states and transitions
with Graphviz (``dot``, from the ``graphviz`` Debian/Homebrew package) as SVG,
with the record's current state highlighted. Nothing is loaded by the browser.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

from transitions.extensions import GraphMachine

from workflow.workflows import WORKFLOWS


def available() -> bool:
    """Whether Graphviz is installed (without it, pages list the transitions instead)."""
    return shutil.which("dot") is not None


class _Model:
    pass


@lru_cache(maxsize=64)
def svg(workflow: str, state: str) -> str | None:
    """The diagram as an SVG document, ``state`` highlighted; None without Graphviz."""
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
    document = model.get_graph().draw(None, format="svg", prog="dot").decode()
    return document[document.index("<svg") :]  # inline: no XML prolog or doctype
