fn main() {
    std::process::exit(sessionlog::cli::main());
}
