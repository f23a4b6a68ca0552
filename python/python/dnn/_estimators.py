"""scikit-learn estimators on dnn's networks: `Classifier` and `Regressor`.

They follow scikit-learn's conventions (rows as examples, `fit`/`predict`/`score`,
`get_params`/`set_params`, fitted attributes ending in `_`) and `MLPClassifier`'s names for
the hyperparameters. The training itself, the checks of the hyperparameters and their error
messages are the library's: this module only turns labels into class indexes and back.
"""

import json
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._native import Network

# scikit-learn's names of activations, as dnn names them.
_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid"}
# dnn's names of the output activations, as scikit-learn's `out_activation_` names them.
_OUT_ACTIVATIONS = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity"}


def _seed(random_state):
    """The seed of NumPy's generator that dnn draws the weights, the shuffles and the split
    with: an int in [0, 2**32) is used as it is (so `random_state=1` with `init="lecun"`
    draws the course's weights); otherwise one is drawn from `random_state`."""
    if isinstance(random_state, numbers.Integral) and 0 <= random_state < 2**32:
        return int(random_state)
    return int(check_random_state(random_state).randint(0, 2**32 - 1, dtype=np.int64))


def _count(value, what, minimum):
    """`value` as an int of at least `minimum`, or a ValueError worded as dnn's."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"invalid {what} {value!r}: expected a whole number")
    if value < minimum:
        raise ValueError(f"invalid {what} {value}: expected at least {minimum}")
    return int(value)


def _dtype_name(dtype):
    """`f32` or `f64` for a numpy float type or its name; other values go to dnn as text,
    which refuses them."""
    try:
        kind = np.dtype(dtype)
    except TypeError:
        return str(dtype)
    return {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}.get(kind, str(dtype))


class _Network(BaseEstimator):
    """What the classifier and the regressor share: the hyperparameters, building and
    training the network, saving it."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        random_state=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        momentum=0.9,
        init="he",
        dtype="float64",
        threads=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.momentum = momentum
        self.init = init
        self.dtype = dtype
        self.threads = threads
        self.verbose = verbose

    def _float_type(self):
        """The numpy type X is converted to: the one of `dtype` (float64 when it is not a
        float type dnn computes in, which dnn then refuses)."""
        return np.float32 if _dtype_name(self.dtype) == "f32" else np.float64

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        return [_count(n, "hidden layer size", 1) for n in sizes]

    def _train(self, X, y_rows, output_activation, n_out):
        """Builds the network for X (m × n_x) and trains it on `y_rows` (m × t)."""
        m = X.shape[0]
        sizes = [X.shape[1], *self._hidden_sizes(), n_out]
        activation = _ACTIVATIONS.get(self.activation, self.activation)
        seed = _seed(self.random_state)
        network = Network(sizes, str(activation), output_activation, str(self.init), seed, _dtype_name(self.dtype))
        if self.batch_size == "auto":
            batch_size = min(200, m)
        elif self.batch_size is None:
            batch_size = None
        else:
            batch_size = _count(self.batch_size, "batch size", 1)
        solver = str(self.solver)
        history = network.fit(
            X,
            np.ascontiguousarray(y_rows, dtype=np.float64),
            learning_rate=float(self.learning_rate_init),
            epochs=_count(self.max_iter, "max_iter", 1),
            optimizer=solver,
            beta1=float(self.momentum if solver == "momentum" else self.beta_1),
            beta2=float(self.beta_2),
            epsilon=float(self.epsilon),
            batch_size=batch_size,
            seed=seed,
            l2=float(self.alpha),
            validation_fraction=float(self.validation_fraction) if self.early_stopping else None,
            patience=_count(self.n_iter_no_change, "n_iter_no_change", 1) if self.early_stopping else None,
            threads=0 if self.threads is None else _count(self.threads, "threads", 1),
            verbose=bool(self.verbose),
        )
        self.network_ = network
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_out
        self.out_activation_ = _OUT_ACTIVATIONS[output_activation]
        self.loss_curve_ = history["costs"]
        self.loss_ = self.loss_curve_[-1]
        self.n_iter_ = len(self.loss_curve_)
        if self.early_stopping:
            self.validation_loss_curve_ = history["validation_costs"]
            self.best_epoch_ = history["best_epoch"]
            self.best_loss_ = self.validation_loss_curve_[self.best_epoch_]
        return self

    @property
    def coefs_(self):
        """The weights as scikit-learn keeps them: W[l]ᵀ, n[l−1] × n[l], for each layer."""
        check_is_fitted(self)
        parameters = self.network_.parameters()
        return [parameters[f"W{l}"].T for l in range(1, self.n_layers_)]

    @property
    def intercepts_(self):
        """The biases as scikit-learn keeps them: b[l] as a vector, for each layer."""
        check_is_fitted(self)
        parameters = self.network_.parameters()
        return [parameters[f"b{l}"][:, 0] for l in range(1, self.n_layers_)]

    def _outputs(self, X):
        X = self._x_for_network(X)
        return self.network_.predict_proba(X)

    def _x_for_network(self, X):
        """X as the fitted network takes it. A numpy array of the network's float type and of
        the fitted feature count goes as it is (the library checks its values): scikit-learn's
        validation would take some 50 µs, 30 times the prediction of one row. Anything else
        goes through scikit-learn's validation, with its conversions and messages."""
        if "network_" not in vars(self):
            check_is_fitted(self)
        dtype = self._network_float_type()
        if (
            type(X) is np.ndarray
            and X.dtype == dtype
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        ):
            return X
        return validate_data(self, X, reset=False, dtype=dtype, ensure_all_finite=False)

    def _network_float_type(self):
        """The type X is given to the network in: its own, or float64 for a model that
        scales its inputs first (a command-line model of a data file), as `dnn predict` does."""
        if self.network_.dtype == "f32" and not self.network_.preprocesses:
            return np.float32
        return np.float64

    def save(self, path):
        """Writes the fitted network to a model file (safetensors), the format of
        `dnn train --model`: `dnn predict`, `dnn evaluate`, `dnn info` and `dnn.load` read it."""
        check_is_fitted(self)
        names = [str(c) for c in self.classes_] if hasattr(self, "classes_") else None
        record = {
            "estimator": type(self).__name__,
            "params": {k: v for k, v in self.get_params().items() if _json_safe(v)},
            "iterations": getattr(self, "n_iter_", None),
            "final_cost": getattr(self, "loss_", None),
        }
        self.network_.save(str(path), class_names=names, training=json.dumps(record))


def _json_safe(value):
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


class Classifier(ClassifierMixin, _Network):
    """A dense network for classification, in place of scikit-learn's `MLPClassifier`.

    Two classes train one sigmoid output with cross-entropy (the course's networks), more
    classes one softmax output per class. The labels can be of any type scikit-learn accepts;
    `classes_` holds them in sorted order.

    Parameters are `MLPClassifier`'s (`hidden_layer_sizes`, `activation` — `relu`, `tanh`,
    `logistic`, `identity`, or dnn's `sigmoid`, `leaky-relu`, `leaky-relu:SLOPE` —, `solver`
    — `adam`, `sgd`, `rmsprop`, `momentum` —, `alpha` for L2, `batch_size` — `"auto"`,
    a number, or None for one batch of all examples —, `learning_rate_init`, `max_iter`
    (epochs), `random_state`, `early_stopping`, `validation_fraction`, `n_iter_no_change`,
    `beta_1`, `beta_2`, `epsilon`, `momentum`, `verbose`), and dnn's own: `init` (`he`,
    `lecun`, `xavier`, `scaled:S`), `dtype` (float64 or float32) and `threads` (None: all
    cores; results do not depend on it).
    """

    def fit(self, X, y):
        """Trains a new network on X (m × n_features) and the labels y (m)."""
        X, y = validate_data(self, X, y, dtype=self._float_type(), ensure_all_finite=False)
        check_classification_targets(y)
        self.classes_, indexes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"every label is '{self.classes_[0]}' (one class): a classification needs examples of two classes"
            )
        k = len(self.classes_)
        output, n_out = ("sigmoid", 1) if k == 2 else ("softmax", k)
        return self._train(X, indexes.reshape(-1, 1), output, n_out)

    def predict_proba(self, X):
        """The probability of each class for each row of X (m × n_classes)."""
        p = self._outputs(X)
        return np.hstack([1 - p, p]) if p.shape[1] == 1 else p

    def predict_log_proba(self, X):
        """The logarithm of `predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of X (for two classes, the second where its
        probability is above 0.5, the course's rule)."""
        X = self._x_for_network(X)
        return self.classes_[self.network_.predict_classes(X)]


class Regressor(RegressorMixin, _Network):
    """A dense network for regression, in place of scikit-learn's `MLPRegressor`: a linear
    output (one unit per target) trained on the mean squared error. Parameters as
    `Classifier`'s."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """Trains a new network on X (m × n_features) and the targets y (m, or m × t)."""
        X, y = validate_data(
            self, X, y, dtype=self._float_type(), ensure_all_finite=False, multi_output=True, y_numeric=True
        )
        y = np.asarray(y, dtype=np.float64)
        self._y_ndim = y.ndim
        y_rows = y.reshape(len(y), -1)
        return self._train(X, y_rows, "linear", y_rows.shape[1])

    def predict(self, X):
        """The network's outputs for the rows of X: m values (m × t for several targets), as
        float64 whatever the network computes in (as scikit-learn's regressors give)."""
        outputs = self._outputs(X).astype(np.float64, copy=False)
        return outputs[:, 0] if self._y_ndim == 1 else outputs
