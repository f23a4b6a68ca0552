//! The `dnn train …` line that trains what a run trained: the same data, network, seeds and
//! learning rate, for as many iterations; and why it cannot when the run did something the
//! command line cannot say.

use super::run::Frame;

/// The file name "Download data" gives the page's own points, which the command reads.
pub const DATA_FILE: &str = "playground-data.csv";

/// The command, and whether it reproduces the run exactly (else why not).
pub struct Command {
    pub line: String,
    pub exact: Result<(), String>,
}

/// The command for a run where `frame` stands.
pub fn command(frame: &Frame) -> Command {
    let settings = &frame.plan.settings;
    let (data, network, training) = (&settings.data, &settings.network, &settings.training);
    let mut words = vec!["dnn".to_string(), "train".to_string()];
    let mut flag = |name: &str, value: String| {
        words.push(format!("--{name}"));
        words.push(value);
    };
    let mut why_not = Vec::new();
    if data.is_builtin() {
        flag("data-seed", data.seed.to_string());
        if let Some(k) = data.classes {
            flag("classes", k.to_string());
        }
    } else {
        flag("scale", "none".into());
    }
    let layers: Vec<String> = network.hidden.iter().map(|layer| layer.units.to_string()).collect();
    flag("layers", if layers.is_empty() { "\"\"".into() } else { layers.join(",") });
    if !network.hidden.is_empty() {
        match network.common_activation() {
            Some(activation) => flag("hidden-activation", activation.to_string()),
            None => {
                flag("hidden-activation", network.hidden[0].activation.clone());
                why_not.push("the command line gives every hidden layer the same activation".to_string());
            }
        }
    }
    if network.output == "softmax" {
        flag("output-activation", "softmax".into());
    }
    flag("init", network.init.clone());
    flag("seed", network.seed.to_string());
    flag("learning-rate", frame.learning_rate.to_string());
    match training.batch_size {
        Some(size) => {
            flag("batch-size", size.to_string());
            flag("epochs", frame.iterations.to_string());
        }
        None => flag("iterations", frame.iterations.to_string()),
    }
    if training.optimizer != "gd" {
        flag("optimizer", training.optimizer.clone());
        if let Some(at) = frame.restarted_at {
            why_not.push(format!("{} started its averages again at iteration {at}", training.optimizer));
        }
    }
    if training.l2 > 0.0 {
        flag("l2", training.l2.to_string());
    }
    if training.keep_prob < 1.0 {
        flag("keep-prob", training.keep_prob.to_string());
        if let Some(at) = frame.restarted_at {
            why_not.push(format!("dropout's generator started again at iteration {at}"));
        }
    }
    if data.test_fraction > 0.0 {
        flag("validation", data.test_fraction.to_string());
    }
    if network.init == "zeros" && !network.hidden.is_empty() {
        words.push("--allow-symmetry".into());
    }
    // The data goes right after `train`, once the flags are known.
    let source = if data.is_builtin() { format!("builtin:{}", data.set) } else { DATA_FILE.to_string() };
    words.insert(2, source);
    if frame.iterations == 0 {
        why_not.push("no iteration has been trained yet".into());
    }
    if let Some(at) = frame.learning_rate_changed_at {
        why_not.push(format!("the learning rate changed at iteration {at}"));
    }
    if frame.diverged.is_some() {
        why_not.push("training diverged".into());
    }
    Command { line: words.join(" "), exact: if why_not.is_empty() { Ok(()) } else { Err(why_not.join("; ")) } }
}

/// The page's data as the CSV file the command reads: `x1,x2,label`, every example in order.
pub fn data_csv(frame: &Frame) -> String {
    let all = &frame.plan.all;
    let mut text = String::from("x1,x2,label\n");
    for j in 0..all.m() {
        text.push_str(&format!("{},{},{}\n", all.x[(0, j)], all.x[(1, j)], all.y[(0, j)] as usize));
    }
    text
}
