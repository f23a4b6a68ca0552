//! `dnn gradcheck`: backpropagation against central differences on a random network.

use anyhow::Result;
use dnn::{gradient_check_l2, Activation, Architecture, DType, Init, Network, NumpyRng};
use serde_json::json;

use crate::cli::GradcheckArgs;
use crate::data::{parse_activation, parse_layers};
use crate::Internal;

pub fn run(args: GradcheckArgs) -> Result<()> {
    let hidden = parse_activation("--hidden-activation", &args.hidden_activation)?;
    let output = parse_activation("--output-activation", &args.output_activation)?;
    if !matches!(output, Activation::Sigmoid | Activation::Linear | Activation::Softmax) {
        anyhow::bail!("--output-activation {output}: expected sigmoid, softmax or linear");
    }
    if args.inputs == 0 || args.examples == 0 {
        anyhow::bail!("--inputs and --examples must be at least 1");
    }
    if !(args.epsilon.is_finite() && args.epsilon > 0.0) {
        anyhow::bail!("invalid --epsilon {}: expected a small positive number such as 1e-6", args.epsilon);
    }
    if !(args.l2.is_finite() && args.l2 >= 0.0) {
        anyhow::bail!("invalid --l2 {}: expected a number of at least 0", args.l2);
    }
    let sizes: Vec<usize> =
        std::iter::once(args.inputs).chain(parse_layers(&args.layers)?).chain(std::iter::once(args.outputs)).collect();
    let arch = Architecture::new(&sizes, hidden, output)?;
    // Training's buffers, plus the probed copy of the network and both gradients (f64).
    let probes = dnn::memory::parameter_count(&arch).and_then(|p| p.checked_mul(3 * 8));
    let needed = dnn::memory::training_bytes(&arch, args.examples, DType::F64, false)
        .zip(probes)
        .and_then(|(training, probes)| training.checked_add(probes));
    dnn::memory::check_fits("the gradient check", needed)?;
    let mut rng = NumpyRng::new(args.seed);
    let mut network = Network::<f64>::init(&arch, Init::Xavier, &mut rng)?;
    // Random biases too, so that no ReLU input sits exactly on the kink at 0.
    for (_, mut b) in network.layers_mut() {
        b.mapv_inplace(|_| 0.3 * rng.randn());
    }
    let x = rng.randn_matrix(args.inputs, args.examples);
    let k = args.outputs;
    let y = match output {
        Activation::Sigmoid => rng.randn_matrix(k, args.examples).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }),
        Activation::Softmax => {
            let classes = ndarray::Array2::from_shape_fn((1, args.examples), |_| (rng.uniform() * k as f64).floor());
            dnn::data::one_hot(&classes, k)
        }
        _ => rng.randn_matrix(k, args.examples),
    };
    let check = gradient_check_l2(&network, x.view(), y.view(), args.epsilon, args.l2)?;
    let passed = check.relative_error <= args.tolerance;
    if args.json {
        outln!(
            "{}",
            json!({
                "relative_error": check.relative_error,
                "tolerance": args.tolerance,
                "passed": passed,
                "parameters": check.analytic.len(),
                "layers": sizes,
                "l2": args.l2,
            })
        );
    } else {
        outln!(
            "layers {sizes:?}, {hidden} hidden, {output} output, {} parameters, {} examples{}",
            check.analytic.len(),
            args.examples,
            if args.l2 > 0.0 { format!(", L2 {}", args.l2) } else { String::new() }
        );
        outln!(
            "relative error {:.3e} (tolerance {:.0e}): {}",
            check.relative_error,
            args.tolerance,
            if passed { "ok" } else { "FAILED" }
        );
    }
    if passed {
        Ok(())
    } else {
        Err(Internal(format!(
            "gradient check failed: relative error {:.3e} > {:.0e}",
            check.relative_error, args.tolerance
        ))
        .into())
    }
}
