//! How the Action gets testcert (`action/install.sh`), against a local HTTP server on
//! 127.0.0.1: the release binary of its own version is used when its SHA-256 matches,
//! refused when it does not, the static musl one when the glibc one is missing or does not
//! run, and a server that is down falls back to a build — which uses the action's own
//! toolchain selection, not the caller's rust-toolchain.toml or RUSTFLAGS.
//! Every binary it asks for is one the release workflow builds.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The Linux x64 release binaries, in the order the Action tries them.
const GNU_X64: &str = "x86_64-unknown-linux-gnu";
const MUSL_X64: &str = "x86_64-unknown-linux-musl";

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("testcert-install-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A static file server on 127.0.0.1 for at most 32 requests (then it stops by itself);
/// records the paths asked for.
struct Server {
    url: String,
    asked: Arc<Mutex<Vec<String>>>,
}

fn serve(files: BTreeMap<String, Vec<u8>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(32) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&req);
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            seen.lock().unwrap().push(path.clone());
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"not found\n".to_vec()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    });
    Server { url, asked }
}

/// A URL where nothing listens.
fn down() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    url
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the release serves: a stand-in binary that answers `--version` as the real one does.
fn binary() -> Vec<u8> {
    format!("#!/bin/sh\necho 'testcert {VERSION}'\n").into_bytes()
}

/// A glibc build on a system whose glibc is older than the one it was linked against.
fn not_runnable() -> Vec<u8> {
    b"#!/bin/sh\necho \"testcert: /lib/x86_64-linux-gnu/libc.so.6: version 'GLIBC_2.34' not found\" >&2\nexit 1\n".to_vec()
}

fn asset() -> String {
    asset_of(GNU_X64)
}

fn asset_of(target: &str) -> String {
    format!("testcert-{VERSION}-{target}")
}

/// A release holding the glibc binary `bin` and `sums` as its SHA256SUMS.
fn release(prefix: &str, bin: &[u8], sums: &str) -> BTreeMap<String, Vec<u8>> {
    release_of(prefix, &[(GNU_X64, bin)], sums)
}

/// A SHA256SUMS listing each of `bins` as the release would.
fn sums_of(bins: &[(&str, &[u8])]) -> String {
    bins.iter()
        .map(|(target, bin)| format!("{}  {}\n", sha256(bin), asset_of(target)))
        .collect()
}

fn release_of(prefix: &str, bins: &[(&str, &[u8])], sums: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = bins
        .iter()
        .map(|(target, bin)| {
            (
                format!("{prefix}/v{VERSION}/{}", asset_of(target)),
                bin.to_vec(),
            )
        })
        .collect();
    files.insert(
        format!("{prefix}/v{VERSION}/SHA256SUMS"),
        sums.as_bytes().to_vec(),
    );
    files
}

/// Runs `install.sh ARG` of the action at `action` on a simulated Linux x64 runner.
fn install(action: &Path, dir: &Path, arg: &str, env: &[(&str, &str)]) -> (Output, String) {
    let output = dir.join("output");
    std::fs::write(&output, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(action.join("action/install.sh"))
        .arg(arg)
        .current_dir(dir)
        .env("GITHUB_ACTION_PATH", action)
        .env("GITHUB_OUTPUT", &output)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", dir)
        .env("RUNNER_TOOL_CACHE", dir.join("toolcache"))
        .env_remove("TESTCERT_BIN")
        .env_remove("INPUT_TESTCERT_BIN")
        .env_remove("INPUT_DOWNLOAD")
        .env_remove("TESTCERT_RELEASE_URL")
        .env_remove("GITHUB_SERVER_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let o = std::fs::read_to_string(&output).unwrap();
    (out, o)
}

/// `install.sh prepare` of this checkout against the release at `url`: (its output, its
/// stdout, what it wrote to $GITHUB_OUTPUT).
fn prepare_from(dir: &Path, url: &str) -> (Output, String, String) {
    prepare_with(dir, url, &[])
}

/// [`prepare_from`] with more of the runner's environment (`RUNNER_OS`, inputs).
fn prepare_with(dir: &Path, url: &str, extra: &[(&str, &str)]) -> (Output, String, String) {
    let mut env = vec![("TESTCERT_RELEASE_URL", url)];
    env.extend_from_slice(extra);
    let (out, o) = install(Path::new(ROOT), dir, "prepare", &env);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout, o)
}

fn value<'a>(outputs: &'a str, key: &str) -> Option<&'a str> {
    outputs
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn a_release_binary_with_a_good_checksum_is_used() {
    let dir = temp("good");
    let bin = binary();
    let server = serve(release(
        "",
        &bin,
        &format!("{}  {}\n0000  other\n", sha256(&bin), asset()),
    ));
    let (out, stdout, o) = prepare_from(&dir, &server.url);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(value(&o, "build"), Some("false"), "{o}\n{stdout}");
    let path = value(&o, "bin").unwrap();
    assert!(
        path.starts_with(dir.join("toolcache").to_str().unwrap()),
        "{path}"
    );
    assert_eq!(std::fs::read(path).unwrap(), bin);
    assert!(
        stdout.contains(&format!("downloaded {}", asset())),
        "{stdout}"
    );
    assert_eq!(
        *server.asked.lock().unwrap(),
        [
            format!("/v{VERSION}/{}", asset()),
            format!("/v{VERSION}/SHA256SUMS")
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_musl_binary_when_the_glibc_one_is_missing_or_does_not_run() {
    let dir = temp("musl");
    let bin = binary();
    let broken = not_runnable();
    let sums = sums_of(&[(GNU_X64, &broken), (MUSL_X64, &bin)]);
    // The glibc binary is verified, then fails to start: the musl one is used, and the log
    // says why the first was passed over.
    let server = serve(release_of(
        "",
        &[(GNU_X64, &broken), (MUSL_X64, &bin)],
        &sums,
    ));
    let (_, stdout, o) = prepare_from(&dir, &server.url);
    assert_eq!(value(&o, "build"), Some("false"), "{o}\n{stdout}");
    let path = value(&o, "bin").unwrap();
    assert!(
        path.contains(&format!("release-{VERSION}-{MUSL_X64}")),
        "{path}"
    );
    assert_eq!(std::fs::read(path).unwrap(), bin);
    assert!(
        stdout.contains(&format!(
            "{} says 'nothing' (testcert: /lib/x86_64-linux-gnu/libc.so.6: version 'GLIBC_2.34' not found), not testcert {VERSION}",
            asset_of(GNU_X64)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("downloaded {}", asset_of(MUSL_X64))),
        "{stdout}"
    );
    // The release's checksums are fetched once for both.
    assert_eq!(
        *server.asked.lock().unwrap(),
        [
            format!("/v{VERSION}/{}", asset_of(GNU_X64)),
            format!("/v{VERSION}/SHA256SUMS"),
            format!("/v{VERSION}/{}", asset_of(MUSL_X64)),
        ]
    );
    // Nothing that failed to run is left in the tool cache.
    assert!(!dir
        .join("toolcache")
        .join(format!("testcert-action/release-{VERSION}-{GNU_X64}"))
        .exists());

    // A release without a glibc binary (as releases before it were): the musl one.
    let dir2 = temp("musl-only");
    let server = serve(release_of(
        "",
        &[(MUSL_X64, &bin)],
        &sums_of(&[(MUSL_X64, &bin)]),
    ));
    let (_, stdout, o) = prepare_from(&dir2, &server.url);
    assert_eq!(value(&o, "build"), Some("false"), "{o}\n{stdout}");
    assert!(value(&o, "bin").unwrap().contains(MUSL_X64), "{o}");
    assert!(
        stdout.contains(&format!(
            "cannot download {}/v{VERSION}/{}",
            server.url,
            asset_of(GNU_X64)
        )),
        "{stdout}"
    );

    // Neither runs: a build, and the notice gives both reasons.
    let dir3 = temp("none-runs");
    let server = serve(release_of(
        "",
        &[(GNU_X64, &broken), (MUSL_X64, &broken)],
        &sums_of(&[(GNU_X64, &broken), (MUSL_X64, &broken)]),
    ));
    let (_, stdout, o) = prepare_from(&dir3, &server.url);
    assert_eq!(value(&o, "build"), Some("true"), "{o}\n{stdout}");
    let notice = stdout
        .lines()
        .find(|l| l.starts_with("::notice title=testcert::no release binary ("))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        notice.contains(&format!("{} says 'nothing'", asset_of(GNU_X64)))
            && notice.contains(&format!("; {} says 'nothing'", asset_of(MUSL_X64))),
        "{notice}"
    );
    for d in [dir, dir2, dir3] {
        std::fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn a_bad_checksum_is_refused_and_a_server_down_falls_back_to_a_build() {
    let dir = temp("bad");
    let bin = binary();
    let server = serve(release(
        "",
        &bin,
        &format!("{}  {}\n", "ab".repeat(32), asset()),
    ));
    let (out, stdout, o) = prepare_from(&dir, &server.url);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(value(&o, "build"), Some("true"), "{o}");
    assert!(
        stdout.contains(&format!("::warning title=testcert::refused {}", asset())),
        "{stdout}"
    );
    assert!(
        stdout.contains("::notice title=testcert::no release binary (the checksum of"),
        "{stdout}"
    );
    assert!(value(&o, "key").is_some_and(|k| k.starts_with("testcert-Linux-X64-")));
    // A release that does not match its checksums is not searched further for a binary
    // that does.
    assert!(
        !server
            .asked
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.contains(MUSL_X64)),
        "{:?}",
        server.asked.lock().unwrap()
    );
    // Nothing refused is left where a later step could run it.
    assert!(!dir
        .join("toolcache")
        .join(format!(
            "testcert-action/release-{VERSION}-{GNU_X64}/bin/testcert"
        ))
        .exists());

    // An asset the checksums do not list is refused too.
    let server = serve(release("", &bin, "0123  something-else\n"));
    let (_, stdout, o) = prepare_from(&dir, &server.url);
    assert_eq!(value(&o, "build"), Some("true"), "{o}");
    assert!(stdout.contains("the checksum listed is 'none'"));

    // Nothing listening: a build, with a notice that says why.
    let (out, stdout, o) = prepare_from(&dir, &down());
    assert!(out.status.success(), "{stdout}");
    assert_eq!(value(&o, "build"), Some("true"), "{o}");
    assert!(
        stdout.contains(
            "::notice title=testcert::no release binary (cannot download http://127.0.0.1:"
        ),
        "{stdout}"
    );

    // `download: false` builds without asking anyone.
    let server = serve(BTreeMap::new());
    let (_, _, o) = prepare_with(&dir, &server.url, &[("INPUT_DOWNLOAD", "false")]);
    assert_eq!(value(&o, "build"), Some("true"));
    assert!(server.asked.lock().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A copy of the action as the runner fetches it: `…/_actions/OWNER/REPO/REF`.
fn fetched_action(dir: &Path) -> PathBuf {
    let action = dir.join("_actions/acme/testcert/0123456789abcdef");
    std::fs::create_dir_all(action.join("action")).unwrap();
    std::fs::create_dir_all(action.join("src")).unwrap();
    for f in ["Cargo.toml", "Cargo.lock", "action/install.sh"] {
        std::fs::copy(Path::new(ROOT).join(f), action.join(f)).unwrap();
    }
    std::fs::write(action.join("src/main.rs"), "fn main() {}\n").unwrap();
    action
}

#[test]
fn the_release_of_the_action_repository_and_its_pinned_checksums() {
    let dir = temp("pinned");
    let action = fetched_action(&dir);
    let bin = binary();
    // The release's SHA256SUMS is wrong, but the action's own (pinned with its commit) is
    // right: the pinned one wins.
    let server = serve(release(
        "/acme/testcert/releases/download",
        &bin,
        &format!("{}  {}\n", "00".repeat(32), asset()),
    ));
    std::fs::write(
        action.join("action/SHA256SUMS"),
        format!("{}  {}\n", sha256(&bin), asset()),
    )
    .unwrap();
    let (out, o) = install(
        &action,
        &dir,
        "prepare",
        &[("GITHUB_SERVER_URL", &server.url)],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(value(&o, "build"), Some("false"), "{o}\n{stdout}");
    assert_eq!(
        *server.asked.lock().unwrap(),
        [format!(
            "/acme/testcert/releases/download/v{VERSION}/{}",
            asset()
        )],
        "the release's SHA256SUMS is not needed"
    );
    // And a pinned checksum that does not match refuses even a release that agrees with
    // itself.
    std::fs::write(
        action.join("action/SHA256SUMS"),
        format!("{}  {}\n", "11".repeat(32), asset()),
    )
    .unwrap();
    let server = serve(release(
        "/acme/testcert/releases/download",
        &bin,
        &format!("{}  {}\n", sha256(&bin), asset()),
    ));
    let (_, o) = install(
        &action,
        &dir,
        "prepare",
        &[("GITHUB_SERVER_URL", &server.url)],
    );
    assert_eq!(value(&o, "build"), Some("true"), "{o}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_build_uses_the_actions_own_toolchain() {
    let dir = temp("build");
    // The caller's repository pins an old Rust and sets flags for its own code.
    let caller = dir.join("caller");
    std::fs::create_dir_all(&caller).unwrap();
    std::fs::write(
        caller.join("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"1.80\"\n",
    )
    .unwrap();
    // Stand-ins for rustup and cargo that log what they were asked and in which setting.
    let fake = dir.join("bin");
    std::fs::create_dir_all(&fake).unwrap();
    let log = dir.join("log");
    for (name, body) in [
        ("rustup", "echo \"rustup $*\" >> \"$LOG\"\n"),
        (
            "cargo",
            "echo \"cargo $* | toolchain=$RUSTUP_TOOLCHAIN | rustflags=${RUSTFLAGS:-} | target=${CARGO_TARGET_DIR:-} | pwd=$PWD\" >> \"$LOG\"\n\
             root=''; while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\n\
             mkdir -p \"$root/bin\" && printf '#!/bin/sh\\necho built\\n' > \"$root/bin/testcert\"\n",
        ),
    ] {
        let p = fake.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
        let mut perm = std::fs::metadata(&p).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&p, perm).unwrap();
    }
    let root = dir.join("toolcache/testcert-action/key");
    let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap());
    let mut cmd = Command::new("bash");
    cmd.arg(Path::new(ROOT).join("action/install.sh"))
        .arg("build")
        .current_dir(&caller)
        .env("GITHUB_ACTION_PATH", ROOT)
        .env("TESTCERT_ROOT", &root)
        .env("PATH", path)
        .env("LOG", &log)
        .env("RUSTFLAGS", "-C instrument-coverage")
        .env("CARGO_TARGET_DIR", caller.join("target"))
        .env_remove("TESTCERT_TOOLCHAIN")
        .env_remove("RUSTUP_TOOLCHAIN");
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("rustup toolchain install stable --profile minimal"),
        "{log}"
    );
    let cargo = log.lines().find(|l| l.starts_with("cargo ")).unwrap();
    assert!(
        cargo.starts_with(&format!(
            "cargo install --locked --path {ROOT} --root {}",
            root.display()
        )),
        "{cargo}"
    );
    assert!(cargo.contains("| toolchain=stable |"), "{cargo}");
    assert!(
        cargo.contains("| rustflags= |"),
        "the caller's RUSTFLAGS: {cargo}"
    );
    assert!(
        !cargo.contains(caller.to_str().unwrap()),
        "not in the caller's repository, not its target dir: {cargo}"
    );
    assert!(root.join("bin/testcert").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The targets the Action asks a release for, on each kind of hosted runner, are the ones
/// `.github/workflows/release.yml` builds (the two lists live in different files).
#[test]
fn every_binary_the_action_asks_for_is_one_the_release_builds() {
    let workflow =
        std::fs::read_to_string(Path::new(ROOT).join(".github/workflows/release.yml")).unwrap();
    let doc = yaml_rust2::YamlLoader::load_from_str(&workflow)
        .unwrap()
        .remove(0);
    let built: Vec<&str> = doc["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    let dir = temp("targets");
    for (os, arch, expected) in [
        ("Linux", "X64", 2),
        ("Linux", "ARM64", 2),
        ("macOS", "X64", 1),
        ("macOS", "ARM64", 1),
        ("Windows", "X64", 1),
    ] {
        // A release with nothing in it: every target is asked for, in order, then a build.
        let server = serve(BTreeMap::new());
        let (_, _, o) = prepare_with(
            &dir,
            &server.url,
            &[("RUNNER_OS", os), ("RUNNER_ARCH", arch)],
        );
        assert_eq!(value(&o, "build"), Some("true"), "{os}/{arch}: {o}");
        let asked: Vec<String> = server.asked.lock().unwrap().clone();
        assert_eq!(asked.len(), expected, "{os}/{arch}: {asked:?}");
        for path in &asked {
            let name = path.rsplit('/').next().unwrap();
            let target = name
                .strip_prefix(&format!("testcert-{VERSION}-"))
                .unwrap_or_else(|| panic!("{path}"))
                .trim_end_matches(".exe");
            assert!(
                built.contains(&target),
                "{os}/{arch} asks for {target}, which release.yml does not build ({built:?})"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
