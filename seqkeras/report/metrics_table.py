"""A short table of a run's metrics for the console (the full set stays in JSON)."""

from typing import List
from typing import Mapping
from typing import Union

from seqkeras.metrics.evaluation import Evaluation


def format_metrics_table(evaluation: Union[Evaluation, Mapping]) -> str:
    """The headline and the other scalar metrics, one a row, with the baselines beside them.

    Lists and nested tables (per-class scores, the confusion matrix, scores by
    step) are left to `metrics.json`; the headline comes first, marked `*`.

    Args:
        evaluation: An `Evaluation`, or the content of a run's `metrics.json`.
    """
    if isinstance(evaluation, Mapping):
        evaluation = Evaluation.from_json(evaluation)
    headline, metrics = evaluation.headline, evaluation.scores
    names = [k for k, v in metrics.items() if _is_number(v)]
    names.sort(key=lambda name: (name != headline, name == "test_examples"))
    baselines = {
        name: figures
        for name, figures in sorted(evaluation.baselines.items())
        if isinstance(figures, dict)
    }
    # Baselines some tasks record beside the model's figures: `persistence_mae` for `mae`.
    for name in list(names):
        for metric in names:
            if name != metric and name.endswith(f"_{metric}"):
                baseline = name[: -len(metric) - 1]
                baselines.setdefault(baseline, {})[metric] = metrics[name]
                names.remove(name)
                break
    rows = [["metric", "model", *baselines]]
    for name in names:
        label = f"{name} *" if name == headline else name
        cells = [_number(metrics[name])]
        cells += [
            _number(figures[name]) if name in figures else "" for figures in baselines.values()
        ]
        rows.append([label, *cells])
    lines = _aligned(rows)
    if isinstance(evaluation.decoding, dict):
        decoding = evaluation.decoding
        options = ", ".join(f"{k}={v}" for k, v in sorted(decoding.get("config", {}).items()))
        lines.append(f"decoding: {decoding.get('name')} ({options})")
    if headline:
        lines.append(f"* headline metric ({headline})")
    return "\n".join(lines)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value) -> str:
    return str(value) if isinstance(value, int) else f"{value:.4f}"


def _aligned(rows: List[List[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines
