"""Task kinds, by the name the config's `task` key uses."""

from seqkeras.pipeline.tasks.base import Task


def get_task(name: str) -> Task:
    """The task for `name` (validated by the schema's `task` choices)."""
    from seqkeras.pipeline.tasks.caption import CaptionTask
    from seqkeras.pipeline.tasks.classify import ClassifyTask
    from seqkeras.pipeline.tasks.forecast import ForecastTask
    from seqkeras.pipeline.tasks.language_model import LanguageModelTask
    from seqkeras.pipeline.tasks.seq2seq import Seq2SeqTask
    from seqkeras.pipeline.tasks.tag import TagTask

    tasks = {
        "caption": CaptionTask,
        "classify": ClassifyTask,
        "forecast": ForecastTask,
        "language_model": LanguageModelTask,
        "seq2seq": Seq2SeqTask,
        "tag": TagTask,
    }
    if name not in tasks:
        from seqkeras.errors import ConfigError

        raise ConfigError(
            f"task: {name!r} has no runner yet; available: {', '.join(sorted(tasks))}."
        )
    return tasks[name]()
