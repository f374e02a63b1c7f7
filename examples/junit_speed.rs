//! Parse speed of the JUnit reader on one file, without and with the model fold:
//! `cargo run --release --example junit_speed -- big.xml` (compare with `xmllint --stream --noout`).

use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let t = Instant::now();
    let mut input = testcert::ingest::open(path.as_ref()).unwrap();
    let mut ctx = testcert::ingest::Ctx::default();
    let mut run = testcert::ingest::testrun::junit::parse(&mut input, &mut ctx).unwrap();
    let p = t.elapsed().as_secs_f64();
    let t2 = Instant::now();
    run.finish();
    let f = t2.elapsed().as_secs_f64();
    println!(
        "parse {p:.2}s ({:.0} MB/s), finish {f:.2}s, cases {}",
        size / p,
        run.cases.len()
    );
}
