"""Task kinds, by the name the config's `task` key uses.

`TASKS` (kept in `seqkeras.pipeline.config.choices`, where the schema reads
it without importing the tasks) names the module and class of each task,
imported when a pipeline asks for it.
"""

import importlib

from seqkeras.pipeline.config.choices import TASKS
from seqkeras.utils.shown import shown


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
