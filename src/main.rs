fn main() {
    std::process::exit(formwork::cli::main());
}
