"""scikit-learn's own estimator test suite on dnn.Classifier and dnn.Regressor, in float64
and float32.

No check is skipped here. scikit-learn itself skips two checks per estimator when their
conditions are absent: check_array_api_input (the environment variable SCIPY_ARRAY_API is not
set) and check_dataframe_column_names_consistency's pandas part (pandas is not installed).
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

import dnn

ESTIMATORS = [
    dnn.Classifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0),
    dnn.Classifier(hidden_layer_sizes=(16,), max_iter=100, random_state=0, dtype="float32"),
    # Adam's default step (0.001) moves a regression's He-initialised weights too slowly for
    # check_regressors_train's R² > 0.5 within 100 epochs: 0.01 reaches it.
    dnn.Regressor(hidden_layer_sizes=(16,), max_iter=100, learning_rate_init=0.01, random_state=0),
    dnn.Regressor(hidden_layer_sizes=(16,), max_iter=100, learning_rate_init=0.01, random_state=0, dtype="float32"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
