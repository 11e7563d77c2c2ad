"""A Mermaid diagram of a flow, so admins can see its branches at a glance (`motcua validate --mermaid`)."""
from __future__ import annotations

from collections.abc import Mapping

from bot.content.flow import Flow, QuestionStep


def _cond(c: Mapping[str, object]) -> str:
    return ", ".join(f"{k}={v}" for k, v in c.items())


def mermaid(flow: Flow) -> str:
    lines = ["flowchart TD"]
    for i, step in enumerate(flow.steps):
        label = f"{step.id} ({step.kind})"
        if step.when:
            label += f"<br/>khi {_cond(step.when)}"
        lines.append(f'  s{i}["{label}"]')
        if i + 1 < len(flow.steps):
            lines.append(f"  s{i} --> s{i + 1}")
        if isinstance(step, QuestionStep):
            for o in step.options:
                if o.handoff:
                    lines.append(f'  s{i} -- "{o.label}" --> H{i}(("cán bộ"))')
                elif o.goto:
                    j = flow.step_index(o.goto)
                    lines.append(f'  s{i} -- "{o.label}" --> s{j}')
    return "\n".join(lines)
