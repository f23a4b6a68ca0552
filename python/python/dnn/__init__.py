"""dnn: dense neural networks as taught in "Neural Networks and Deep Learning", in Python.

- `dnn.Classifier` and `dnn.Regressor`: scikit-learn estimators (in place of
  `MLPClassifier` and `MLPRegressor`), trained by dnn's Rust library with the GIL released.
- `dnn.load(path)` and the estimators' `save(path)`: the model files of `dnn train --model`.
- `dnn.course`: the course's functions (`L_model_forward`, `L_layer_model`, …) with its shapes.
"""

from ._estimators import Classifier, Regressor
from ._models import load
from . import course
from ._native import FORMAT_VERSION, Network

__all__ = ["Classifier", "Regressor", "Network", "load", "course", "FORMAT_VERSION"]
