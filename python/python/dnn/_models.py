"""Model files: `dnn.load` gives back a fitted estimator for a file written by an
estimator's `save` or by `dnn train --model`."""

import json

import numpy as np

from ._estimators import _OUT_ACTIVATIONS, Classifier, Regressor
from ._native import Network


def _labels(names):
    """The class names of a model file as labels: integers or numbers when they all read as
    such (as the command line writes 0 and 1), else the strings."""
    for kind in (int, float):
        try:
            return np.array([kind(name) for name in names])
        except ValueError:
            continue
    return np.array(names)


def load(path):
    """A fitted `Classifier` (sigmoid or softmax output) or `Regressor` (linear output) with
    the network of the model file at `path`.

    Its hyperparameters are those the file records (an estimator's `save` records them all,
    `dnn train` its layers and activations). A model trained by `dnn train` on a data file
    applies that file's scaling to X, as `dnn predict` does: X is given in the file's units,
    its columns in the file's order (without the label, ID and ignored columns), whose names
    `feature_names_in_` holds when the file had a header.
    """
    network = Network.load(str(path))
    record = json.loads(network.training) if network.training else {}
    params = record.get("params", {}) if isinstance(record, dict) else {}
    sizes = network.sizes
    output = network.activations[-1]
    estimator = Regressor() if output == "linear" else Classifier()
    known = estimator.get_params()
    estimator.set_params(**{k: v for k, v in params.items() if k in known})
    estimator.set_params(
        hidden_layer_sizes=tuple(sizes[1:-1]),
        activation=network.activations[0] if len(sizes) > 2 else estimator.activation,
        dtype="float32" if network.dtype == "f32" else "float64",
    )
    if isinstance(estimator.hidden_layer_sizes, list):
        estimator.hidden_layer_sizes = tuple(estimator.hidden_layer_sizes)
    estimator.network_ = network
    estimator.n_features_in_ = sizes[0]
    if network.feature_names is not None:
        # scikit-learn then refuses a DataFrame whose columns are not these, in this order.
        estimator.feature_names_in_ = np.asarray(network.feature_names, dtype=object)
    estimator.n_layers_ = len(sizes)
    estimator.n_outputs_ = sizes[-1]
    estimator.out_activation_ = _OUT_ACTIVATIONS[output]
    if isinstance(record, dict) and isinstance(record.get("iterations"), int):
        estimator.n_iter_ = record["iterations"]
    if isinstance(estimator, Classifier):
        names = network.class_names or [str(c) for c in range(max(2, sizes[-1]))]
        estimator.classes_ = _labels(names)
    else:
        estimator._y_ndim = 1 if sizes[-1] == 1 else 2
    return estimator
