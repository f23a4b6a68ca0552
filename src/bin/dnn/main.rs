//! The `dnn` command.

fn main() {
    println!("dnn {}", env!("CARGO_PKG_VERSION"));
}
