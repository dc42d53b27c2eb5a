"""Task kinds, by the name the config's `task` key uses.

`TASKS` is the one list of task kinds: the schema's `task` choices and the
JSON Schema come from it. Each entry names the module and class of the
task, imported when a pipeline asks for it.
"""

import importlib

from seqkeras.utils.shown import shown

TASKS = {
    "classify": ("classify", "ClassifyTask"),
    "tag": ("tag", "TagTask"),
    "seq2seq": ("seq2seq", "Seq2SeqTask"),
    "caption": ("caption", "CaptionTask"),
    "language_model": ("language_model", "LanguageModelTask"),
    "forecast": ("forecast", "ForecastTask"),
}


def get_task(name: str):
    """The `seqkeras.pipeline.tasks.base.Task` registered as `name`.

    Raises:
        ConfigError: for a name that is not registered, listing the others.
    """
    if name not in TASKS:
        from seqkeras.errors import ConfigError

        raise ConfigError(f"task: got {shown(name)}; expected one of: {', '.join(TASKS)}.")
    module, class_name = TASKS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), class_name)()
