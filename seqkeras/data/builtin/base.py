"""What every built-in dataset builder shares.

Each built-in dataset is a `tfds.core.GeneratorBasedBuilder` that reads data a
Python package ships (nothing is downloaded), writes TFRecord shards under the
data directory once, and reads them back on later loads. The builders are not
registered in tensorflow-datasets' global catalogue, so their names cannot
clash with it; `seqkeras.data.load` finds them by name.

The builder config carries the seed (and, for text, the user's file), so
datasets built with different seeds live side by side:
``<data_dir>/seqkeras_<name>/seed<seed>/<version>/``.
"""

import dataclasses
import hashlib
import os
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

import tensorflow_datasets as tfds


@dataclasses.dataclass(eq=False)
class BuiltinConfig(tfds.core.BuilderConfig):
    """Builder config: the split seed and, for text datasets, a user file."""

    seed: int = 0
    path: Optional[str] = None


def make_config(seed: int, path: Optional[str] = None, seeded: bool = True) -> BuiltinConfig:
    """A config whose name identifies its data (seed, and the file's content)."""
    name = f"seed{seed}" if seeded else "default"
    if path is not None:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:12]
        name = f"file-{digest}-{name}"
        path = os.path.abspath(path)
    return BuiltinConfig(name=name, seed=seed, path=path)


class BuiltinBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Base class: subclasses set the metadata and implement `make_splits`."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}
    DESCRIPTION = ""
    HOMEPAGE = ""
    CITATION = ""
    LICENSE = ""
    SUPERVISED_KEYS: Optional[Tuple[str, str]] = None

    def features(self) -> tfds.features.FeaturesDict:
        raise NotImplementedError

    def make_splits(self, seed: int, path: Optional[str]) -> Dict[str, List[Dict[str, Any]]]:
        """Return split name -> list of examples (dicts matching `features`)."""
        raise NotImplementedError

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=self.DESCRIPTION,
            features=self.features(),
            supervised_keys=self.SUPERVISED_KEYS,
            homepage=self.HOMEPAGE,
            citation=self.CITATION,
            license=self.LICENSE,
            # Examples are written in the (seeded) order make_splits returns.
            disable_shuffling=True,
        )

    def _split_generators(self, dl_manager):
        config = self.builder_config
        splits = self.make_splits(config.seed, config.path)
        return {name: self._generate_examples(examples) for name, examples in splits.items()}

    def _generate_examples(self, examples: Iterable[Dict[str, Any]]):
        for index, example in enumerate(examples):
            yield index, example
