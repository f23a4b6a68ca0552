//! Every typed error of the library, matched by variant and by its exact message.

mod common;

use dnn::{fit, Activation, Architecture, Error, Init, Loss, Network, NumpyRng, TrainConfig};
use ndarray::{array, Array2};

fn logistic(n_x: usize) -> Network<f64> {
    let arch = Architecture::new(&[n_x, 1], Activation::Sigmoid, Activation::Sigmoid).unwrap();
    Network::init(&arch, Init::Zeros, &mut NumpyRng::new(0)).unwrap()
}

fn config() -> dnn::ValidTrainConfig {
    TrainConfig::new(0.1, 3).check().unwrap()
}

#[test]
fn shape_mismatch_names_both_shapes() {
    let x = Array2::<f64>::zeros((3, 5));
    let y = Array2::<f64>::zeros((1, 5));
    let error = fit(logistic(2), x.view(), y.view(), &config()).unwrap_err();
    assert!(matches!(error, Error::ShapeMismatch { expected: (2, 5), found: (3, 5), .. }), "{error:?}");
    assert_eq!(error.to_string(), "shape mismatch for X (features × examples): expected (2, 5), found (3, 5)");

    let y = Array2::<f64>::zeros((1, 4));
    let error = fit(logistic(3), x.view(), y.view(), &config()).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch for Y (outputs × examples): expected (1, 5), found (1, 4)");

    let error = logistic(3).predict_proba(Array2::<f64>::zeros((4, 2)).view()).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch for X (features × examples): expected (3, 2), found (4, 2)");
}

#[test]
fn labels_outside_0_and_1() {
    let x = Array2::<f64>::zeros((2, 3));
    let y = array![[0.0, 1.0, 2.0]];
    let error = fit(logistic(2), x.view(), y.view(), &config()).unwrap_err();
    assert!(matches!(error, Error::LabelNotBinary { example: 2, value } if value == 2.0));
    assert_eq!(error.to_string(), "label at example 2 is 2, expected 0 or 1");
    // A regression takes any real label.
    let arch = Architecture::new(&[2, 1], Activation::Relu, Activation::Linear).unwrap();
    let net = Network::<f64>::init(&arch, Init::Zeros, &mut NumpyRng::new(0)).unwrap();
    assert!(fit(net, x.view(), y.view(), &config()).is_ok());
}

#[test]
fn non_finite_inputs() {
    let x = array![[0.0, 1.0, 2.0], [0.5, f64::NAN, 1.0]];
    let y = array![[0.0, 1.0, 1.0]];
    let error = fit(logistic(2), x.view(), y.view(), &config()).unwrap_err();
    assert!(matches!(&error, Error::NonFinite { what, row: 1, column: 1, .. } if what == "X"), "{error:?}");
    assert_eq!(error.to_string(), "X has a non-finite value NaN at row 1, column 1");
    let x = array![[0.0, f64::INFINITY, 2.0], [0.5, 1.0, 1.0]];
    assert_eq!(
        fit(logistic(2), x.view(), y.view(), &config()).unwrap_err().to_string(),
        "X has a non-finite value inf at row 0, column 1"
    );
    // Prediction finds them too, also through zero weights (0·inf is NaN), for one example
    // (a matrix-vector product) and for several.
    for (sizes, init) in [(&[2, 1][..], Init::Zeros), (&[2, 3, 1][..], Init::He)] {
        let arch = Architecture::new(sizes, Activation::Relu, Activation::Sigmoid).unwrap();
        let net = Network::<f64>::init(&arch, init, &mut NumpyRng::new(0)).unwrap();
        assert_eq!(
            net.predict_proba(x.view()).unwrap_err().to_string(),
            "X has a non-finite value inf at row 0, column 1"
        );
        let one = array![[f64::NAN], [1.0]];
        assert_eq!(
            net.predict_proba(one.view()).unwrap_err().to_string(),
            "X has a non-finite value NaN at row 0, column 0"
        );
        assert!(net.predict_proba(array![[1e300], [1e300]].view()).is_ok());
    }
}

#[test]
fn invalid_hyperparameters() {
    for (lr, shown) in [(0.0, "0"), (-0.5, "-0.5"), (f64::NAN, "NaN"), (f64::INFINITY, "inf")] {
        let error = TrainConfig::new(lr, 10).check().unwrap_err();
        assert!(matches!(error, Error::InvalidHyperparameter { name: "learning rate", .. }));
        assert_eq!(error.to_string(), format!("invalid learning rate {shown}: a finite number greater than 0"));
    }
    let error = TrainConfig::new(0.1, 0).check().unwrap_err();
    assert_eq!(error.to_string(), "invalid iterations 0: at least 1");
    let error = Architecture::new(&[3, 0, 1], Activation::Relu, Activation::Sigmoid).unwrap_err();
    assert!(matches!(error, Error::InvalidHyperparameter { name: "layer sizes", .. }));
    assert_eq!(error.to_string(), "invalid layer sizes [3, 0, 1]: every layer to have at least 1 unit");
    let error = Architecture::new(&[0, 1], Activation::Relu, Activation::Sigmoid).unwrap_err();
    assert_eq!(error.to_string(), "invalid layer sizes [0, 1]: an input size of at least 1");
    let error = Architecture::new(&[4], Activation::Relu, Activation::Sigmoid).unwrap_err();
    assert_eq!(error.to_string(), "invalid layer sizes [4]: at least an input size and an output size");
    let error = Architecture::with_activations(&[2, 1], vec![Activation::Linear], Loss::CrossEntropy).unwrap_err();
    assert!(matches!(error, Error::IncompatibleLoss { .. }));
}

#[test]
fn zero_initialisation_with_hidden_layers_is_refused() {
    let arch = Architecture::new(&[2, 3, 3, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let error = Network::<f64>::init(&arch, Init::Zeros, &mut NumpyRng::new(0)).unwrap_err();
    assert!(matches!(error, Error::SymmetricInit { hidden_layers: 2 }));
    assert!(error.to_string().starts_with("zero initialisation with 2 hidden layer(s): every hidden unit of a layer"));
    assert!(error.to_string().contains("(symmetry)"));
}

#[test]
fn parse_errors_name_the_input_and_what_was_expected() {
    let error = "scaled:-1".parse::<Init>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid initialisation 'scaled:-1': expected zeros, scaled:S (S > 0, e.g. scaled:0.01), lecun, he or xavier"
    );
    assert_eq!("f16".parse::<dnn::DType>().unwrap_err().to_string(), "invalid dtype 'f16': expected f32 or f64");
    for (text, init) in [
        ("zeros", Init::Zeros),
        ("scaled:0.01", Init::Scaled(0.01)),
        ("lecun", Init::Lecun),
        ("he", Init::He),
        ("xavier", Init::Xavier),
    ] {
        assert_eq!(text.parse::<Init>().unwrap(), init);
        assert_eq!(init.name(), text);
    }
}

#[cfg(feature = "io")]
#[test]
fn hdf5_errors_name_the_file_and_the_key() {
    use dnn::data::{read_hdf5, Hdf5Keys};
    let dir = common::temp_dir("errors-hdf5");
    let missing = dir.join("missing.h5");
    assert!(matches!(read_hdf5(&missing, &Hdf5Keys::default()), Err(Error::Io { .. })));
    let text = dir.join("text.h5");
    std::fs::write(&text, "hello").unwrap();
    let error = read_hdf5(&text, &Hdf5Keys::default()).unwrap_err();
    assert!(matches!(error, Error::DataFile { .. }));
    assert!(error.to_string().starts_with(&format!("{}: not a readable HDF5 file", text.display())), "{error}");

    let mut builder = hdf5_pure::FileBuilder::new();
    builder.create_dataset("features").with_f64_data(&[1.0, 2.0, 3.0, 4.0]).with_shape(&[2, 2]);
    let file = dir.join("keys.h5");
    builder.write(&file).unwrap();
    let error = read_hdf5(&file, &Hdf5Keys::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}: no dataset named 'x' or '*_x' (datasets: features); name it with --x-key", file.display())
    );
    let keys = Hdf5Keys { x: Some("features".into()), y: Some("labels".into()) };
    let error = read_hdf5(&file, &keys).unwrap_err();
    assert_eq!(error.to_string(), format!("{}: no dataset 'labels' (datasets: features)", file.display()));
}
