fn main() {
    std::process::exit(testcert::cli::main());
}
